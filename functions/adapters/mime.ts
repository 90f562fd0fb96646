/**
 * A multipart MIME message (RFC 2045–2047, 2231, 5322) for mails with attachments.
 * Small on purpose: every Lambda bundle carries the mail code, and a general-purpose
 * mailer library would double a function's size for the one thing used here.
 * Header values never carry CR or LF (no header injection from any field).
 */
import { randomBytes } from 'node:crypto';

export interface MimeAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array | string;
}

export interface MimeMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: MimeAttachment[];
  date?: Date;
}

const CRLF = '\r\n';
/** 39 bytes make 52 base64 characters: a 64-character encoded word, under 78 even after "Subject: ". */
const ENCODED_WORD_BYTES = 39;

/** One header line's value: line breaks and other control characters become spaces. */
function headerValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** RFC 2047 encoded words for non-ASCII text, split on character boundaries. */
export function encodeWords(value: string): string {
  const clean = headerValue(value);
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  const words: string[] = [];
  let chunk = '';
  for (const char of clean) {
    if (Buffer.byteLength(chunk + char) > ENCODED_WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`).join(`${CRLF} `);
}

function base64Lines(content: Uint8Array | string): string {
  const encoded = Buffer.from(content).toString('base64');
  return (encoded.match(/.{1,76}/g) ?? []).join(CRLF);
}

/** RFC 2231 file name parameter: percent-encoded UTF-8, continued over lines when long. */
function filenameParameter(filename: string): string {
  const clean = headerValue(filename).replace(/["\\]/g, '_');
  if (/^[\x20-\x7e]*$/.test(clean) && clean.length <= 50) return `filename="${clean}"`;
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  // Split between percent-escapes, never inside one.
  const pieces = encoded.match(/(?:%[0-9A-F]{2}|[^%]){1,48}/g) ?? [];
  return pieces.map((piece, i) => `filename*${i}*=${i === 0 ? "UTF-8''" : ''}${piece}`).join(`;${CRLF} `);
}

function boundary(): string {
  return `nimitys-${randomBytes(8).toString('hex')}`;
}

export function buildMime(message: MimeMessage): Uint8Array {
  const mixed = boundary();
  const alternative = boundary();
  const domain = headerValue(message.from).split('@')[1] ?? 'nimitys.local';
  const lines = [
    `From: ${headerValue(message.from)}`,
    `To: ${headerValue(message.to)}`,
    `Subject: ${encodeWords(message.subject)}`,
    `Date: ${(message.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(16).toString('hex')}@${domain}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alternative}"`,
    '',
    `--${alternative}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.text),
    `--${alternative}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(message.html),
    `--${alternative}--`,
  ];
  for (const attachment of message.attachments ?? []) {
    lines.push(
      `--${mixed}`,
      `Content-Type: ${headerValue(attachment.contentType)}`,
      `Content-Disposition: attachment;${CRLF} ${filenameParameter(attachment.filename)}`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(attachment.content),
    );
  }
  lines.push(`--${mixed}--`, '');
  return new Uint8Array(Buffer.from(lines.join(CRLF)));
}
