/**
 * The excerpt as a PDF: A4, Helvetica (a standard font, WinAnsi-encoded, so ä, ö, å, §,
 * – and ” print as themselves), one real text layer that `pdftotext` reads back in
 * reading order. Laid out from the same ExcerptDocument as the mail, so the two never
 * disagree. Pure: bytes from data, no I/O; the same document gives the same bytes.
 * Written by pdf.ts (text lines in the standard fonts, nothing more).
 */
import type { ExcerptDocument, ExcerptEntry } from './excerpt.ts';
import { HELVETICA, HELVETICA_BOLD, PdfDocument, type PdfFont, type PdfPage } from './pdf.ts';
import { helsinkiInstant } from './time.ts';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = { left: 62, right: 56, top: 62, bottom: 62 };
/** Between a run-in label and its text. */
const LABEL_GAP = 5;
const SIZE = { heading: 15, title: 12, body: 10, small: 8 };
const LEADING = 1.35;

interface Fonts {
  regular: PdfFont;
  bold: PdfFont;
}

/**
 * Text the standard font can encode: characters outside WinAnsi (e.g. č, ő, emoji) lose
 * their accents or become "?", instead of failing the whole document.
 */
function encodable(font: PdfFont, text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\n' || font.canEncode(ch)) out += ch;
    else {
      const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      out += base !== '' && [...base].every((c) => font.canEncode(c)) ? base : '?';
    }
  }
  return out;
}

/**
 * Greedy word wrap by measured width; a word longer than the line is broken. The first
 * line may be shorter (`firstWidth`), to leave room for a run-in label.
 */
function wrap(font: PdfFont, size: number, text: string, width: number, firstWidth = width): string[] {
  const lines: string[] = [];
  const room = () => (lines.length === 0 ? firstWidth : width);
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (font.widthOfTextAtSize(candidate, size) <= room()) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      line = word;
      while (font.widthOfTextAtSize(line, size) > room()) {
        let cut = line.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > room()) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    lines.push(line);
  }
  return lines;
}

/** A cursor down the pages: starts a new page when the next line does not fit. */
class Writer {
  private page!: PdfPage;
  private y = 0;
  readonly pages: PdfPage[] = [];

  constructor(
    private readonly pdf: PdfDocument,
    private readonly fonts: Fonts,
  ) {
    this.newPage();
  }

  private newPage(): void {
    this.page = this.pdf.addPage(A4);
    this.pages.push(this.page);
    this.y = A4[1] - MARGIN.top;
  }

  private ensure(height: number): void {
    if (this.y - height < MARGIN.bottom) this.newPage();
  }

  gap(points: number): void {
    this.y -= points;
  }

  /** Wrapped text at `x` within `width`. */
  text(text: string, opts: { x?: number; width?: number; size?: number; bold?: boolean } = {}): void {
    const font = opts.bold ? this.fonts.bold : this.fonts.regular;
    const size = opts.size ?? SIZE.body;
    const x = opts.x ?? MARGIN.left;
    const width = opts.width ?? A4[0] - MARGIN.right - x;
    for (const line of wrap(font, size, encodable(font, text), width)) {
      this.ensure(size * LEADING);
      this.y -= size * LEADING;
      if (line !== '') this.page.drawText(line, { x, y: this.y, size, font });
    }
  }

  /**
   * A labelled entry with its label run in, bold, before the text: "Päätös Hyväksyttiin
   * päätösehdotus." Text extraction (pdftotext) reads a label column and a value column
   * as two separate blocks, so the excerpt keeps each label on the line of its value.
   */
  entry(entry: ExcerptEntry): void {
    const size = SIZE.body;
    const { regular, bold } = this.fonts;
    const label = encodable(bold, entry.label);
    const width = A4[0] - MARGIN.right - MARGIN.left;
    const indent = bold.widthOfTextAtSize(label, size) + LABEL_GAP;
    const lines = wrap(regular, size, encodable(regular, entry.text), width, width - indent);
    lines.forEach((line, i) => {
      this.ensure(size * LEADING);
      this.y -= size * LEADING;
      if (i === 0) this.page.drawText(label, { x: MARGIN.left, y: this.y, size, font: bold });
      const x = i === 0 ? MARGIN.left + indent : MARGIN.left;
      if (line !== '') this.page.drawText(line, { x, y: this.y, size, font: regular });
    });
  }

  /** "Sivu n / m" at the foot of every page, once all pages exist. */
  pageNumbers(caption: string): void {
    const font = this.fonts.regular;
    this.pages.forEach((page, i) => {
      const text = encodable(font, `${caption} – sivu ${i + 1}/${this.pages.length}`);
      page.drawText(text, { x: MARGIN.left, y: MARGIN.bottom / 2, size: SIZE.small, font });
    });
  }
}

const BLOCK_STARTS: ReadonlySet<string> = new Set(['Päätösehdotus', 'Päätös', 'Ote']);

export async function excerptPdf(doc: ExcerptDocument): Promise<Uint8Array> {
  const pdf = new PdfDocument();
  const fonts = { regular: HELVETICA, bold: HELVETICA_BOLD };
  const municipality = doc.meta.find((e) => e.label === 'Kunta')?.text ?? '';
  const body = doc.meta.find((e) => e.label === 'Toimielin')?.text ?? '';
  const title = `${municipality} – ${body}: ${doc.heading.toLowerCase()}`;
  // Fixed dates: a retried step builds the same bytes.
  const stamp = helsinkiInstant(doc.dates?.sentOn ?? '2000-01-01', '12:00:00');
  pdf.info = {
    title: encodable(fonts.regular, title),
    subject: encodable(fonts.regular, doc.title),
    author: encodable(fonts.regular, body),
    creator: 'Nimitys',
    producer: 'Nimitys',
    creationDate: stamp,
    modificationDate: stamp,
  };
  pdf.language = 'fi-FI';

  const w = new Writer(pdf, fonts);
  w.text(doc.heading, { size: SIZE.heading, bold: true });
  if (doc.correctionNote) {
    w.gap(4);
    w.text(doc.correctionNote, { bold: true });
  }
  w.gap(8);
  for (const entry of doc.meta) w.entry(entry);
  w.gap(10);
  w.text(doc.title, { size: SIZE.title, bold: true });
  if (doc.caseText !== '') {
    w.gap(4);
    for (const paragraph of doc.caseText.split(/\n\s*\n/)) {
      w.text(paragraph);
      w.gap(5);
    }
  }
  w.gap(6);
  for (const entry of doc.decisionPart) {
    if (BLOCK_STARTS.has(entry.label)) w.gap(6);
    w.entry(entry);
  }
  w.gap(16);
  w.text(doc.appeal.heading, { size: SIZE.title, bold: true });
  for (const entry of doc.appeal.entries) {
    w.gap(5);
    w.entry(entry);
  }
  w.gap(16);
  w.entry(doc.certification);
  w.pageNumbers(`${municipality} ${body}`.trim());
  return pdf.save();
}
