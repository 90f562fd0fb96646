/**
 * A small PDF writer for text documents: pages of lines of text in the standard fonts
 * Helvetica and Helvetica-Bold (not embedded: every PDF reader has them), WinAnsi-encoded,
 * so ä, ö, å, §, – and ” print as themselves; the document's info and language.
 *
 * What the excerpt needs and no more, instead of a general PDF library (pdf-lib and its
 * fonts and deflate were 400 KB of the mailing functions' 800 KB bundles and most of their
 * cold start). Pure and deterministic: the same calls give the same bytes. Content streams
 * are deflated with node:zlib.
 */
import { deflateSync } from 'node:zlib';

export type StandardFont = 'Helvetica' | 'Helvetica-Bold';

/** WinAnsiEncoding beyond Latin-1: code point → byte (PDF 32000-1, annex D). */
const WIN_ANSI_EXTRA: ReadonlyMap<number, number> = new Map([
  [0x20ac, 0x80],
  [0x201a, 0x82],
  [0x0192, 0x83],
  [0x201e, 0x84],
  [0x2026, 0x85],
  [0x2020, 0x86],
  [0x2021, 0x87],
  [0x02c6, 0x88],
  [0x2030, 0x89],
  [0x0160, 0x8a],
  [0x2039, 0x8b],
  [0x0152, 0x8c],
  [0x017d, 0x8e],
  [0x2018, 0x91],
  [0x2019, 0x92],
  [0x201c, 0x93],
  [0x201d, 0x94],
  [0x2022, 0x95],
  [0x2013, 0x96],
  [0x2014, 0x97],
  [0x02dc, 0x98],
  [0x2122, 0x99],
  [0x0161, 0x9a],
  [0x203a, 0x9b],
  [0x0153, 0x9c],
  [0x017e, 0x9e],
  [0x0178, 0x9f],
]);

/** The WinAnsi byte of a character, or undefined when the standard fonts cannot show it. */
function winAnsiByte(ch: string): number | undefined {
  if (ch.length !== 1) return undefined; // also every character beyond U+FFFF (two code units)
  const cp = ch.charCodeAt(0);
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  return WIN_ANSI_EXTRA.get(cp);
}

/** Advance widths (1/1000 em) of bytes 32–255 from the fonts' AFM metrics; "-" = no glyph. */
const WIDTHS: Record<StandardFont, readonly number[]> = {
  Helvetica: widths(
    '278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584 - 556 - 222 556 333 1000 556 556 333 1000 667 333 1000 - 611 - - 222 222 333 333 350 556 1000 333 1000 500 333 944 - 500 500 278 333 556 556 556 556 260 556 333 737 370 556 584 333 737 333 400 584 333 333 333 556 537 278 333 333 365 556 834 834 834 611 667 667 667 667 667 667 1000 722 667 667 667 667 278 278 278 278 722 722 778 778 778 778 778 584 778 722 722 722 722 667 667 611 556 556 556 556 556 556 889 500 556 556 556 556 278 278 278 278 556 556 556 556 556 556 556 584 611 556 556 556 556 500 556 500',
  ),
  'Helvetica-Bold': widths(
    '278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584 - 556 - 278 556 500 1000 556 556 333 1000 667 333 1000 - 611 - - 278 278 500 500 350 556 1000 333 1000 556 333 944 - 500 556 278 333 556 556 556 556 280 556 333 737 370 556 584 333 737 333 400 584 333 333 333 611 556 278 333 333 365 556 834 834 834 611 722 722 722 722 722 722 1000 722 667 667 667 667 278 278 278 278 722 722 778 778 778 778 778 584 778 722 722 722 722 667 667 611 556 556 556 556 556 556 889 556 556 556 556 556 278 278 278 278 611 611 611 611 611 611 611 584 611 611 611 611 611 556 611 556',
  ),
};

function widths(list: string): number[] {
  return [...Array<number>(32).fill(-1), ...list.split(' ').map((w) => (w === '-' ? -1 : Number(w)))];
}

/** One of the two standard fonts: what it can show and how wide. */
export class PdfFont {
  constructor(readonly name: StandardFont) {}

  canEncode(ch: string): boolean {
    const byte = winAnsiByte(ch);
    return byte !== undefined && (WIDTHS[this.name][byte] ?? -1) >= 0;
  }

  /** Width in points of text (every character encodable) at a size. */
  widthOfTextAtSize(text: string, size: number): number {
    let units = 0;
    for (const ch of text) units += WIDTHS[this.name][this.byteOf(ch)] ?? 0;
    return (units * size) / 1000;
  }

  byteOf(ch: string): number {
    const byte = winAnsiByte(ch);
    if (byte === undefined || !this.canEncode(ch)) {
      throw new RangeError(`${this.name} (WinAnsi) cannot encode U+${(ch.codePointAt(0) ?? 0).toString(16)}`);
    }
    return byte;
  }
}

export const HELVETICA = new PdfFont('Helvetica');
export const HELVETICA_BOLD = new PdfFont('Helvetica-Bold');
const FONT_RESOURCE: Record<StandardFont, string> = { Helvetica: 'F1', 'Helvetica-Bold': 'F2' };

/** A number as PDF writes it: at most four decimals, no exponent. */
function num(n: number): string {
  return String(Number(n.toFixed(4)));
}

/** A text string in a content stream: WinAnsi bytes, anything but plain ASCII as an octal escape. */
function textLiteral(text: string, font: PdfFont): string {
  let out = '(';
  for (const ch of text) {
    const byte = font.byteOf(ch);
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out += `\\${ch}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out})`;
}

/** A text string outside content streams (document info): UTF-16BE with its byte order mark. */
function utf16Literal(text: string): string {
  let hex = 'FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return `<${hex}>`;
}

/** A date as PDF writes it (UTC). */
function pdfDate(date: Date): string {
  return `(D:${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z)`;
}

export interface DocumentInfo {
  title?: string;
  subject?: string;
  author?: string;
  creator?: string;
  producer?: string;
  creationDate?: Date;
  modificationDate?: Date;
}

export class PdfPage {
  /** The page's content stream operators, one text line each. */
  readonly operators: string[] = [];

  constructor(readonly size: readonly [number, number]) {}

  /** A line of text with its baseline starting at (x, y), in black. */
  drawText(text: string, options: { x: number; y: number; size: number; font: PdfFont }): void {
    const { x, y, size, font } = options;
    this.operators.push(
      `BT /${FONT_RESOURCE[font.name]} ${num(size)} Tf 0 0 0 rg 1 0 0 1 ${num(x)} ${num(y)} Tm ${textLiteral(text, font)} Tj ET`,
    );
  }
}

export class PdfDocument {
  readonly pages: PdfPage[] = [];
  info: DocumentInfo = {};
  /** BCP 47, e.g. fi-FI. */
  language?: string;

  addPage(size: readonly [number, number]): PdfPage {
    const page = new PdfPage(size);
    this.pages.push(page);
    return page;
  }

  /** The file: catalog, page tree, the two fonts, info, then each page and its content. */
  save(): Uint8Array {
    // Object n is objects[n - 1]: 1 catalog, 2 page tree, 3–4 fonts, 5 info, then page and content pairs.
    const objects: Array<string | Buffer> = [];
    const add = (body: string | Buffer) => {
      objects.push(body);
    };
    const pageRefs = this.pages.map((_, i) => `${6 + 2 * i} 0 R`);
    add(`<< /Type /Catalog /Pages 2 0 R${this.language ? ` /Lang (${this.language})` : ''} >>`);
    add(`<< /Type /Pages /Kids [${pageRefs.join(' ')}] /Count ${this.pages.length} >>`);
    for (const font of ['Helvetica', 'Helvetica-Bold'] as const) {
      add(`<< /Type /Font /Subtype /Type1 /BaseFont /${font} /Encoding /WinAnsiEncoding >>`);
    }
    const { title, subject, author, creator, producer, creationDate, modificationDate } = this.info;
    const info = [
      title !== undefined && `/Title ${utf16Literal(title)}`,
      subject !== undefined && `/Subject ${utf16Literal(subject)}`,
      author !== undefined && `/Author ${utf16Literal(author)}`,
      creator !== undefined && `/Creator ${utf16Literal(creator)}`,
      producer !== undefined && `/Producer ${utf16Literal(producer)}`,
      creationDate && `/CreationDate ${pdfDate(creationDate)}`,
      modificationDate && `/ModDate ${pdfDate(modificationDate)}`,
    ].filter((entry): entry is string => typeof entry === 'string');
    add(`<< ${info.join(' ')} >>`);
    this.pages.forEach((page, i) => {
      add(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${num(page.size[0])} ${num(page.size[1])}] ` +
          `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${7 + 2 * i} 0 R >>`,
      );
      const content = deflateSync(Buffer.from(page.operators.join('\n'), 'latin1'));
      add(
        Buffer.concat([
          Buffer.from(`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'),
          content,
          Buffer.from('\nendstream', 'latin1'),
        ]),
      );
    });

    const chunks: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
    let offset = chunks[0]?.length ?? 0;
    const offsets: number[] = [];
    objects.forEach((body, i) => {
      offsets.push(offset);
      const chunk = Buffer.concat([
        Buffer.from(`${i + 1} 0 obj\n`, 'latin1'),
        typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
        Buffer.from('\nendobj\n', 'latin1'),
      ]);
      chunks.push(chunk);
      offset += chunk.length;
    });
    const xref = [
      'xref',
      `0 ${objects.length + 1}`,
      '0000000000 65535 f ',
      ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
      'trailer',
      `<< /Size ${objects.length + 1} /Root 1 0 R /Info 5 0 R >>`,
      'startxref',
      String(offset),
      '%%EOF',
      '',
    ].join('\n');
    chunks.push(Buffer.from(xref, 'latin1'));
    return new Uint8Array(Buffer.concat(chunks));
  }
}
