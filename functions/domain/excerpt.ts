/**
 * The excerpt of the minutes (pöytäkirjanote): the legal notice of a decision to its
 * parties. One structured document (`excerptDocument`) is laid out three ways: plain
 * text and HTML in the mail (`excerptMail`), and the PDF attached to it (excerpt-pdf.ts).
 *
 * Content, in the order the established Finnish decision systems print it: heading,
 * municipality, body, meeting, §, diary number, title, case text, preparer, presenter,
 * proposal, decision, distribution (Ote / Tiedoksi / Lisätietoja), the appeal
 * instructions (oikaisuvaatimusohje) with the deemed receipt date and the last day to
 * request correction, and the certification (Otteen oikeaksi todistaa).
 */

import { type AppealDates, appealDates, CORRECTION_PERIOD_DAYS } from './appeal.ts';
import { formatDateFi, lowerFirst, municipalityGenitive, phraseGenitive, upperFirst } from './finnish.ts';
import { html, singleLine as one, plainText, type SafeHtml } from './html.ts';
import {
  bodyOf,
  compose,
  type MailContent,
  multiLineHtml,
  paragraph,
  SERVICE_NAME,
  STYLE,
} from './mail-texts.ts';
import type { Decision, Municipality, Person, Proposal, Round } from './types.ts';

/** What the distribution calls the municipal board; the minute writes it in lower case. */
const BOARD_NAME = 'kunnanhallitus';
/** Between a label and its value in the excerpt's plain text, as in the minute's columns. */
const LABEL_SEPARATOR = '  ';

export interface ExcerptInput {
  round: Round;
  municipality: Municipality;
  proposal: Proposal;
  decision: Decision;
  /**
   * The Finnish date the excerpt is sent by e-mail (YYYY-MM-DD). With it the appeal
   * instructions name the deemed receipt date and the last day to request correction.
   */
  sentOn?: string;
  /** A corrected excerpt: the decision changed after an earlier excerpt went out on this date. */
  correctionOf?: { previousSentOn: string };
}

/** One labelled entry of the excerpt: "Päätös  Hyväksyttiin päätösehdotus." */
export interface ExcerptEntry {
  label: string;
  text: string;
}

/** The excerpt as structured data, so that mail and PDF lay out the same content. */
export interface ExcerptDocument {
  /** PÖYTÄKIRJANOTE, or OIKAISTU PÖYTÄKIRJANOTE for a corrected one. */
  heading: string;
  /** Only on a corrected excerpt: what it replaces. */
  correctionNote?: string;
  /** Kunta, Toimielin, Kokous, Pykälä, Asianumero. */
  meta: ExcerptEntry[];
  /** The item's title. */
  title: string;
  /** The case text (may span paragraphs). */
  caseText: string;
  /** Valmistelija … Lisätietoja, in the minute's order. */
  decisionPart: ExcerptEntry[];
  /** OIKAISUVAATIMUSOHJE and its paragraphs. */
  appeal: { heading: string; entries: ExcerptEntry[] };
  /** The dates when the sending date is known. */
  dates?: AppealDates;
  /** Otteen oikeaksi todistaa: place and date, name and title. */
  certification: ExcerptEntry;
}

function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** "Hyvinvointijohtaja Riitta Lappalainen": title first, as in the minute's columns. */
function titledNameLead(p: Person): string {
  const title = lowerFirst(one(p.title));
  return upperFirst(title === '' ? one(p.name) : `${title} ${one(p.name)}`);
}

function phoneOf(p: Person): string | undefined {
  const phone = one(p.phone ?? '');
  return phone === '' ? undefined : phone;
}

/** "§ 87" whether the section was recorded as "87" or "§ 87". */
export function sectionLabel(section: string): string {
  return `§ ${one(section).replace(/^§\s*/, '')}`;
}

/** The decided nominees who get a copy: all but the presenter, who already has the matter. */
function copiedNominees(municipality: Municipality, decision: Decision): Person[] {
  const seen = new Set<string>();
  return decision.nominees.filter((p) => {
    const key = p.email.trim().toLowerCase();
    if (sameEmail(p.email, municipality.presenter.email) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The authority a request for correction goes to, with the registry's addresses. */
function correctionAuthority(municipality: Municipality, withEmail: boolean): string {
  const lines = [upperFirst(bodyOf(municipality))];
  const postal = plainText(municipality.postalAddress ?? '').trim();
  if (postal !== '') lines.push(`Postiosoite: ${postal.split('\n').map(one).join(', ')}`);
  if (withEmail) lines.push(`Sähköposti: ${one(municipality.registryEmail)}`);
  return lines.join('\n');
}

/**
 * The appeal instructions (oikaisuvaatimusohje) of a decision open to a request for
 * correction (Kuntalaki § 134). `withEmail: false` leaves e-mail addresses out (public notice).
 */
export function appealInstructions(
  municipality: Municipality,
  dates: AppealDates | undefined,
  withEmail = true,
): { heading: string; entries: ExcerptEntry[] } {
  const entries: ExcerptEntry[] = [
    {
      label: 'Oikaisuvaatimus',
      text:
        'Tähän päätökseen tyytymätön voi tehdä kirjallisen oikaisuvaatimuksen. ' +
        'Päätökseen ei saa hakea muutosta valittamalla tuomioistuimeen.',
    },
    {
      label: 'Oikaisuvaatimusoikeus',
      text:
        'Oikaisuvaatimuksen saa tehdä se, johon päätös on kohdistettu tai jonka oikeuteen, ' +
        'velvollisuuteen tai etuun päätös välittömästi vaikuttaa (asianosainen), sekä kunnan jäsen.',
    },
    {
      label: 'Oikaisuvaatimusaika',
      text:
        `Oikaisuvaatimus on tehtävä ${CORRECTION_PERIOD_DAYS} päivän kuluessa päätöksen tiedoksisaannista. ` +
        'Tiedoksisaantipäivää ei lueta määräaikaan. Asianosaisen katsotaan saaneen päätöksestä tiedon, ' +
        'jollei muuta näytetä, kolmantena päivänä sähköpostiviestin lähettämisestä ja seitsemäntenä ' +
        'päivänä kirjeen lähettämisestä. Kunnan jäsenen katsotaan saaneen päätöksestä tiedon ' +
        'seitsemän päivän kuluttua siitä, kun pöytäkirja on julkaistu yleisessä tietoverkossa. ' +
        'Jos määräajan viimeinen päivä on pyhäpäivä, itsenäisyyspäivä, vapunpäivä, joulu- tai ' +
        'juhannusaatto tai arkilauantai, oikaisuvaatimuksen saa tehdä ensimmäisenä arkipäivänä sen ' +
        'jälkeen. Oikaisuvaatimuksen on oltava perillä viimeistään määräajan viimeisenä päivänä ' +
        'ennen viraston aukioloajan päättymistä.',
    },
  ];
  if (dates) {
    entries.push({
      label: 'Tiedoksianto',
      text:
        `Tämä ote on lähetetty sähköpostitse ${formatDateFi(dates.sentOn)}. ` +
        `Vastaanottajan katsotaan saaneen päätöksestä tiedon ${formatDateFi(dates.deemedReceivedOn)}. ` +
        `Oikaisuvaatimuksen viimeinen jättöpäivä on ${formatDateFi(dates.correctionDeadline)}.`,
    });
  }
  entries.push(
    { label: 'Oikaisuvaatimusviranomainen', text: correctionAuthority(municipality, withEmail) },
    {
      label: 'Oikaisuvaatimuksen sisältö',
      text:
        'Oikaisuvaatimuksessa on ilmoitettava päätös, johon oikaisuvaatimus kohdistuu, miten ' +
        'päätöstä halutaan oikaistavaksi ja millä perusteella oikaisua vaaditaan. Oikaisuvaatimuksessa ' +
        'on ilmoitettava myös tekijän nimi, kotikunta, postiosoite ja puhelinnumero sekä ' +
        'sähköpostiosoite, jos päätös voidaan antaa tiedoksi sähköisesti. Oikaisuvaatimus on ' +
        'allekirjoitettava; sähköisesti toimitettua oikaisuvaatimusta ei tarvitse allekirjoittaa, jos ' +
        'siinä on tiedot lähettäjästä eikä asiakirjan alkuperäisyyttä tai eheyttä ole syytä epäillä.',
    },
  );
  return { heading: 'OIKAISUVAATIMUSOHJE', entries };
}

/** Who certifies the excerpt: the body's secretary when named, else the role. */
function certifier(municipality: Municipality): string {
  const name = one(municipality.body.secretaryName ?? '');
  const title = one(municipality.body.secretaryTitle ?? '');
  const role = `${upperFirst(phraseGenitive(lowerFirst(one(municipality.body.name))))} sihteeri`;
  if (name === '') return title === '' ? role : upperFirst(title);
  return title === '' ? `${name}\n${role}` : `${name}\n${lowerFirst(title)}`;
}

export function excerptDocument(input: ExcerptInput): ExcerptDocument {
  const { round, municipality, proposal, decision, sentOn, correctionOf } = input;
  const presenter = municipality.presenter;
  const phone = phoneOf(presenter);
  const copies = [BOARD_NAME, ...copiedNominees(municipality, decision).map((p) => one(p.name))];
  const diaryNumber = one(decision.diaryNumber ?? '');
  const dates = sentOn === undefined ? undefined : appealDates(sentOn, 'email');
  const place = one(municipality.name);
  return {
    heading: correctionOf ? 'OIKAISTU PÖYTÄKIRJANOTE' : 'PÖYTÄKIRJANOTE',
    correctionNote: correctionOf
      ? `Päätöstä on oikaistu. Tämä ote korvaa ${formatDateFi(correctionOf.previousSentOn)} lähetetyn ` +
        'otteen; oikaisuvaatimusaika lasketaan tämän otteen tiedoksisaannista.'
      : undefined,
    meta: [
      { label: 'Kunta', text: place },
      { label: 'Toimielin', text: upperFirst(one(municipality.body.name)) },
      { label: 'Kokous', text: formatDateFi(decision.meetingDate) },
      { label: 'Pykälä', text: sectionLabel(decision.section) },
      ...(diaryNumber === '' ? [] : [{ label: 'Asianumero', text: diaryNumber }]),
    ],
    title: one(round.title),
    caseText: plainText(round.caseText).trim(),
    decisionPart: [
      { label: 'Valmistelija', text: titledNameLead(municipality.preparer) },
      { label: 'Esittelijä', text: titledNameLead(presenter) },
      { label: 'Päätösehdotus', text: plainText(proposal.text).trim() },
      { label: 'Päätös', text: plainText(decision.text).trim() },
      { label: 'Ote', text: one(round.organiser.name) },
      { label: 'Tiedoksi', text: copies.join(', ') },
      {
        label: 'Lisätietoja',
        text: phone ? `${titledNameLead(presenter)}, p. ${phone}` : titledNameLead(presenter),
      },
    ],
    appeal: appealInstructions(municipality, dates),
    dates,
    certification: {
      label: 'Otteen oikeaksi todistaa',
      text: `${dates ? `${place} ${formatDateFi(dates.sentOn)}\n` : ''}${certifier(municipality)}`,
    },
  };
}

/** "Label  first line", further lines of a multi-line value on their own. */
function entryLines(entry: ExcerptEntry): string[] {
  const [first = '', ...rest] = entry.text.split('\n');
  return [`${entry.label}${LABEL_SEPARATOR}${first}`, ...rest];
}

/** In the minute these entries start a block of their own, after a blank line. */
const BLOCK_STARTS: ReadonlySet<string> = new Set(['Päätösehdotus', 'Päätös', 'Ote']);

/** The document as plain lines (no line contains \n); blank strings separate blocks. */
export function excerptDocumentLines(doc: ExcerptDocument): string[] {
  const lines = [doc.heading];
  if (doc.correctionNote) lines.push('', doc.correctionNote);
  lines.push('', ...doc.meta.flatMap(entryLines), '', doc.title);
  if (doc.caseText !== '') lines.push('', ...doc.caseText.split('\n'));
  lines.push('');
  for (const entry of doc.decisionPart) {
    if (BLOCK_STARTS.has(entry.label)) lines.push('');
    lines.push(...entryLines(entry));
  }
  lines.push('', '', doc.appeal.heading);
  for (const entry of doc.appeal.entries) lines.push('', ...entryLines(entry));
  lines.push('', '', ...entryLines(doc.certification));
  return lines;
}

/** The excerpt's body as plain lines (no line contains \n); blank strings separate blocks. */
export function excerptText(input: ExcerptInput): string[] {
  return excerptDocumentLines(excerptDocument(input));
}

function entriesTable(entries: ExcerptEntry[]): SafeHtml {
  return html`<table style="${STYLE.table}">${entries.map(
    (e) =>
      html`<tr><th scope="row" style="${STYLE.th}">${e.label}</th><td style="${STYLE.td}">${e.text
        .split('\n')
        .map((line, i) => (i === 0 ? line : html`<br>${line}`))}</td></tr>`,
  )}</table>`;
}

/** Finnish quotation marks: the same ” on both sides. */
function quoted(s: string): string {
  return `”${s}”`;
}

/** The file name of the attached PDF: ASCII only, so that no mail client mangles it. */
export function excerptFileName(
  input: Pick<ExcerptInput, 'municipality' | 'decision' | 'correctionOf'>,
): string {
  const section = one(input.decision.section).replace(/[^0-9A-Za-z]+/g, '');
  const kind = input.correctionOf ? 'oikaistu-poytakirjanote' : 'poytakirjanote';
  return `${kind}-${input.municipality.id}-${input.decision.meetingDate}-${section || 'x'}.pdf`;
}

export interface ExcerptMailInput extends ExcerptInput {
  groupName: string;
  /** false: the excerpt (Ote) to the organiser; true: a copy for information (Tiedoksi). */
  copy: boolean;
  /** The excerpt as PDF, attached when given. */
  pdf?: Uint8Array;
}

/** The excerpt, to the organiser's registry (Ote) or for information (Tiedoksi). */
export function excerptMail(input: ExcerptMailInput): MailContent {
  const { round, municipality, decision, groupName, copy, correctionOf, pdf } = input;
  const doc = excerptDocument(input);
  const body = bodyOf(municipality);
  const meetingDate = formatDateFi(decision.meetingDate);
  const section = sectionLabel(decision.section);
  const kind = `${correctionOf ? 'Oikaistu ' : ''}${copy ? 'Tiedoksi' : 'Ote'}`;
  const noun = correctionOf ? 'oikaistu pöytäkirjanote' : 'pöytäkirjanote';
  const heading = copy ? `Tiedoksi: ${noun}` : upperFirst(noun);
  const intro =
    `${upperFirst(body)} on kokouksessaan ${meetingDate} (${section}) nimennyt edustajat ryhmään ` +
    `${quoted(one(groupName))}. ${copy ? `${upperFirst(noun)} lähetetään tiedoksi.` : `Ohessa ${noun}.`}` +
    `${pdf ? ' Ote on myös liitteenä PDF-tiedostona.' : ''}`;
  const provenance = `Pöytäkirjanote on muodostettu ${SERVICE_NAME}ssa toimielimen sihteerin kirjaamista tiedoista.`;
  const content = compose({
    subject: `${kind}: ${body} ${meetingDate} ${section} – ${doc.title}`,
    organiser: round.organiser,
    textBlocks: [heading, intro, excerptDocumentLines(doc).join('\n'), provenance],
    htmlBody: html`<h1 style="${STYLE.h1}">${heading}</h1>
${paragraph(intro)}
<div style="${STYLE.document}">
<h2 style="${STYLE.h2}">${doc.heading}</h2>
${doc.correctionNote ? paragraph(doc.correctionNote) : ''}
${entriesTable(doc.meta)}
<h3 style="${STYLE.h2}">${doc.title}</h3>
${multiLineHtml(doc.caseText)}
${entriesTable(doc.decisionPart)}
<h3 style="${STYLE.h2}">${doc.appeal.heading}</h3>
${entriesTable(doc.appeal.entries)}
${entriesTable([doc.certification])}
</div>
${paragraph(provenance)}`,
  });
  if (!pdf) return content;
  return {
    ...content,
    attachments: [{ filename: excerptFileName(input), contentType: 'application/pdf', content: pdf }],
  };
}

export interface ExcerptRecipient {
  email: string;
  name: string;
  purpose: 'excerpt' | 'excerpt-copy';
}

/**
 * Who gets the excerpt: the organiser's registry (Ote), the municipal board and each
 * decided nominee except the presenter (Tiedoksi). One mail per address: the first
 * purpose wins, so the registry never gets a copy in addition to the excerpt.
 */
export function excerptRecipients({
  round,
  municipality,
  decision,
}: {
  round: Round;
  municipality: Municipality;
  decision: Decision;
}): ExcerptRecipient[] {
  const all: ExcerptRecipient[] = [
    { email: round.organiser.registryEmail, name: one(round.organiser.name), purpose: 'excerpt' },
    {
      email: municipality.boardEmail,
      name: `${municipalityGenitive(one(municipality.name))} ${BOARD_NAME}`,
      purpose: 'excerpt-copy',
    },
    ...copiedNominees(municipality, decision).map(
      (p): ExcerptRecipient => ({ email: p.email, name: one(p.name), purpose: 'excerpt-copy' }),
    ),
  ];
  const seen = new Set<string>();
  return all
    .map((r) => ({ ...r, email: one(r.email) }))
    .filter((r) => {
      const key = r.email.toLowerCase();
      if (r.email === '' || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** To the organiser's contact: an excerpt could not be delivered to one recipient. */
export function excerptUndeliveredMail(args: {
  round: Round;
  municipality: Municipality;
  recipient: string;
  reason: string;
  corrected?: boolean;
}): MailContent {
  const { round, municipality } = args;
  const what = args.corrected ? 'Oikaistua pöytäkirjanotetta' : 'Pöytäkirjanotetta';
  const message =
    `${what} (${bodyOf(municipality)}) ei voitu toimittaa osoitteeseen ${one(args.recipient)}. ` +
    `Syy: ${one(args.reason)}.`;
  const action =
    'Toimita ote vastaanottajalle muulla tavalla (esimerkiksi kirjeenä) ja merkitse tiedoksiantotapa. ' +
    'Kirjeenä lähetetty ote katsotaan saaduksi seitsemäntenä päivänä lähettämisestä.';
  return compose({
    subject: `Toimitus epäonnistui: ${municipalityGenitive(one(municipality.name))} pöytäkirjanote`,
    organiser: round.organiser,
    textBlocks: [message, action],
    htmlBody: html`<h1 style="${STYLE.h1}">Pöytäkirjanotetta ei voitu toimittaa</h1>
${paragraph(message)}
${paragraph(action)}`,
  });
}
