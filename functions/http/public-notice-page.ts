/** The public notice as an HTML page: the link pages' style sheet and CSP, no scripts, no forms. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ExcerptEntry } from '../domain/excerpt.ts';
import { html, raw, type SafeHtml } from '../domain/html.ts';
import type { PublicNotice } from '../domain/public-notice.ts';
import { PAGE_STYLE } from './pages.ts';
import { SECURITY_HEADERS } from './responses.ts';

function facts(entries: ExcerptEntry[]): SafeHtml {
  return html`<dl class="facts">${entries.map(
    (e) =>
      html`<dt>${e.label}</dt><dd>${e.text.split('\n').map((line, i) => (i === 0 ? line : html`<br>${line}`))}</dd>`,
  )}</dl>`;
}

function paragraphs(text: string): SafeHtml {
  return html`${text
    .split(/\n\s*\n/)
    .map((p) => html`<p>${p.split('\n').map((line, i) => (i === 0 ? line : html`<br>${line}`))}</p>`)}`;
}

function document(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="fi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow, noarchive">
<title>${title} – Nimitys</title>
<style>${raw(PAGE_STYLE)}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.toString();
}

export function publicNoticeHtml(notice: PublicNotice): string {
  const municipality = notice.meta.find((e) => e.label === 'Kunta')?.text ?? '';
  return document(
    `${notice.title} (${municipality})`,
    html`<h1>${notice.title}</h1>
<p class="lead">${notice.heading}</p>
${facts(notice.meta)}
<h2>Asia</h2>
${paragraphs(notice.caseText)}
${
  notice.decisionPart
    ? html`<h2>Päätös</h2>
${facts(notice.decisionPart)}
<h2>Nimetyt edustajat</h2>
<ul class="people">${(notice.members ?? []).map((m) => html`<li>${m}</li>`)}</ul>`
    : html`<div class="notice"><p>${notice.removedNote ?? ''}</p></div>`
}
<h2>Julkaiseminen</h2>
<p>${notice.publication}</p>
<h2>${notice.appeal.heading}</h2>
${facts(notice.appeal.entries)}`,
  );
}

/** Not cached anywhere (no-store): the names must go the moment the period ends. */
export function publicNoticeResponse(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...SECURITY_HEADERS }, body };
}

export function notFoundPage(): APIGatewayProxyStructuredResultV2 {
  return publicNoticeResponse(
    404,
    document('Ei löytynyt', html`<h1>Julkaisua ei löytynyt</h1><p>Tarkista osoite.</p>`),
  );
}
