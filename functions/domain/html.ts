/**
 * Safe text for mails: HTML escaping, a tagged template that escapes every
 * interpolation, and cleaning of the plain-text parts.
 *
 * Everything a person typed (names, titles, the case text) reaches mails; none of it
 * may become markup in the HTML part or extra header lines in the subject.
 */

const NEWLINE = 0x0a;
const TAB = 0x09;

/**
 * Characters that have no business in a mail text: C0 controls, DEL, C1 controls,
 * the Unicode line and paragraph separators (some clients break lines on them) and
 * the bidirectional embedding/override/isolate controls (they can make text read
 * differently from what it is).
 */
function isUnwantedControl(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * Text for a plain-text mail body: line breaks become \n (CRLF and lone CR too), a
 * tab becomes a space so that words do not run together, every other control
 * character is dropped.
 */
export function plainText(s: string): string {
  const normalised = s.replace(/\r\n?/g, '\n');
  let out = '';
  for (const ch of normalised) {
    const code = ch.codePointAt(0) ?? 0;
    if (code === NEWLINE) out += ch;
    else if (code === TAB) out += ' ';
    else if (!isUnwantedControl(code)) out += ch;
  }
  return out;
}

/**
 * One line of text, for a subject or a name: no line breaks at all (a CR or LF in a
 * header would start a header of its own), runs of white space collapsed.
 */
export function singleLine(s: string): string {
  return plainText(s).replace(/\s+/g, ' ').trim();
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes the characters that start markup or end an attribute value, so the result
 * is safe both between tags and inside a quoted attribute. Control characters are
 * dropped first, as in plainText.
 */
export function escapeHtml(s: string): string {
  return plainText(s).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/** Markup that is already safe: built by `html` or deliberately passed through `raw`. */
export class SafeHtml {
  readonly #markup: string;
  constructor(markup: string) {
    this.#markup = markup;
  }
  toString(): string {
    return this.#markup;
  }
}

/** What may be interpolated into `html`: strings and numbers are escaped, nothing else renders. */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * Tagged template for HTML: the literal parts are markup, every interpolation is
 * escaped unless it is SafeHtml. Arrays render item by item; null, undefined and
 * false render as nothing, so `${cond && html`…`}` works.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** The escape hatch: markup the caller vouches for. Never pass user input. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * Multi-line text as HTML paragraphs: a blank line separates paragraphs, a single
 * line break becomes <br>. `paragraphStyle` goes into each <p>'s style attribute.
 */
export function textToHtml(text: string, paragraphStyle = ''): SafeHtml {
  const paragraphs = plainText(text)
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const style = paragraphStyle === '' ? '' : raw(` style="${escapeHtml(paragraphStyle)}"`);
  return html`${paragraphs.map(
    (p) => html`<p${style}>${p.split('\n').map((line, i) => (i === 0 ? line : html`<br>${line}`))}</p>`,
  )}`;
}
