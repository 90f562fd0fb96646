/**
 * Mails around an official's link that wrap the step's request mail: a reminder, a hand-off
 * to a substitute, a resent link, a step sent back. The request mail stays the body, so
 * the official always sees the whole item; a short lead paragraph says why it came again.
 */
import { escapeHtml, plainText, singleLine } from './html.ts';
import type { MailContent } from './mail-texts.ts';

/** Puts a lead paragraph before the request mail's body and a prefix before its subject. */
export function withLead(mail: MailContent, subjectPrefix: string, lead: string): MailContent {
  const cleanLead = plainText(lead).trim();
  const leadHtml = cleanLead
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 12px;font-weight:bold">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const container = /(<div role="article"[^>]*>)/;
  return {
    ...mail,
    subject: singleLine(`${subjectPrefix}: ${mail.subject}`),
    text: `${cleanLead}\n\n${mail.text}`,
    html: container.test(mail.html)
      ? mail.html.replace(container, (open) => `${open}\n${leadHtml}`)
      : mail.html,
  };
}

/** A short notice of its own (no request mail to wrap): a heading, paragraphs, a footer. */
export function noticeMail(args: {
  subject: string;
  heading: string;
  paragraphs: string[];
  footer: string;
}): MailContent {
  const subject = singleLine(args.subject);
  const paragraphs = args.paragraphs.map((p) => plainText(p).trim()).filter((p) => p !== '');
  const text = `${[args.heading, ...paragraphs].join('\n\n')}\n\n-- \n${plainText(args.footer)}\n`;
  const body = paragraphs
    .map((p) => `<p style="margin:0 0 12px">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const html = `<!DOCTYPE html>
<html lang="fi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:16px;font-family:Arial,sans-serif;color:#1f2a37;background:#ffffff">
<div role="article" aria-label="${escapeHtml(subject)}" lang="fi" style="max-width:640px;margin:0 auto">
<h1 style="font-size:22px;margin:0 0 16px">${escapeHtml(args.heading)}</h1>
${body}
<p style="margin:24px 0 0;font-size:13px;color:#4b5563">${escapeHtml(args.footer)}</p>
</div>
</body>
</html>
`;
  return { subject, text, html };
}
