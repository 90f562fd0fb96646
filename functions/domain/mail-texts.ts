/**
 * Every mail of the nomination process, as pure functions from domain data to
 * subject, plain text and HTML. Finnish, in the register of municipal administration.
 *
 * Safety rules kept here so that no caller has to: subjects are one line (no CR/LF,
 * so no header injection), plain text has no control characters, every value in the
 * HTML is escaped, and the only link in any mail is the linkUrl the caller gave.
 */

import {
  formatDateFi,
  formatDateTimeFi,
  lowerFirst,
  municipalityGenitive,
  phraseGenitive,
  timesPerYearFi,
  upperFirst,
} from './finnish.ts';
import { html, plainText, type SafeHtml, singleLine, textToHtml } from './html.ts';
import type { Decision, Municipality, Organiser, Person, Proposal, Round } from './types.ts';

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array | string;
}

export interface MailContent {
  subject: string;
  text: string;
  html: string;
  /** Files sent along (the excerpt's PDF, a calendar); the mail then goes as raw MIME. */
  attachments?: MailAttachment[];
}

/** "to the municipal board" (allative), for running text. */
const BOARD_NAME_ALLATIVE = 'kunnanhallitukselle';
/** Used when a round names no group for the municipality. */
const FALLBACK_GROUP_NAME = 'alueellinen kumppanuusryhmä';
export const SERVICE_NAME = 'Nimitys-palvelu';

// ---------------------------------------------------------------------------
// Small text pieces. Everything a person typed goes through `one` (single line)
// or `plainText` (multi-line) before it reaches the plain-text part.
// ---------------------------------------------------------------------------

const one = singleLine;

/** "hyvinvointijohtaja Riitta Lappalainen": title as written inside a sentence. */
function titledName(p: Person): string {
  const title = lowerFirst(one(p.title));
  return title === '' ? one(p.name) : `${title} ${one(p.name)}`;
}

function phoneOf(p: Person): string | undefined {
  const phone = one(p.phone ?? '');
  return phone === '' ? undefined : phone;
}

/** "title name, email, p. phone" for contact lines. */
function contactLine(p: Person): string {
  const phone = phoneOf(p);
  return [titledName(p), one(p.email), phone && `p. ${phone}`].filter(Boolean).join(', ');
}

/** "Eeva Elomäki, hyvinvointi- ja hankekoordinaattori, eeva.elomaki@liperi.example". */
function nomineeLine(p: Person): string {
  return [one(p.name), lowerFirst(one(p.title)), one(p.email)].filter(Boolean).join(', ');
}

/** "1–4 työntekijää", "yhden työntekijän", "2 työntekijää". */
function seatsPhrase(round: Round): string {
  const { min, max } = round.seats;
  if (min === max) return max === 1 ? 'yhden työntekijän' : `${max} työntekijää`;
  return `${min}–${max} työntekijää`;
}

/** The group of the municipality in this round. */
function groupNameFor(round: Round, municipalityId: string): string {
  const group = round.groups.find((g) => g.municipalityIds.includes(municipalityId));
  return group === undefined ? FALLBACK_GROUP_NAME : one(group.name);
}

/** "Liperin hyvinvointilautakunta". */
export function bodyOf(municipality: Municipality): string {
  return `${municipalityGenitive(one(municipality.name))} ${lowerFirst(one(municipality.body.name))}`;
}

/** Finnish quotation marks: the same ” on both sides. */
function quoted(s: string): string {
  return `”${s}”`;
}

/**
 * Only a web address may become a link. The link must be exactly the one given;
 * this only refuses javascript:, data: and the like.
 */
function checkedLink(linkUrl: string): string {
  let protocol: string;
  try {
    protocol = new URL(linkUrl).protocol;
  } catch {
    throw new RangeError(`Not a URL: ${linkUrl}`);
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new RangeError(`Mail links must be http(s): ${linkUrl}`);
  }
  return linkUrl;
}

// ---------------------------------------------------------------------------
// Layout: one look for every mail.
// ---------------------------------------------------------------------------

export const STYLE = {
  body: 'margin:0;padding:0;background-color:#f4f4f4;',
  container:
    'max-width:640px;margin:0 auto;padding:24px;background-color:#ffffff;color:#1a1a1a;' +
    'font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;',
  h1: 'font-size:22px;line-height:1.3;margin:0 0 16px;',
  h2: 'font-size:18px;line-height:1.3;margin:24px 0 8px;',
  p: 'margin:0 0 12px;',
  list: 'margin:0 0 12px;padding-left:24px;',
  // #0b5394 on white and white on #0b5394: contrast above 7:1.
  button:
    'display:inline-block;padding:12px 20px;background-color:#0b5394;color:#ffffff;' +
    'font-weight:bold;text-decoration:none;border-radius:4px;',
  small: 'margin:0 0 12px;font-size:14px;color:#4a4a4a;word-break:break-all;',
  table: 'border-collapse:collapse;width:100%;margin:0 0 12px;',
  th: 'text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #cccccc;',
  td: 'vertical-align:top;padding:6px 8px;border-bottom:1px solid #cccccc;',
  document: 'border:1px solid #cccccc;padding:16px;margin:0 0 16px;',
  footer: 'margin-top:32px;padding-top:12px;border-top:1px solid #cccccc;font-size:14px;color:#4a4a4a;',
} as const;

function footerSentence(organiser: Organiser): string {
  return (
    `Viestin on lähettänyt ${SERVICE_NAME} ${phraseGenitive(one(organiser.name))} puolesta. ` +
    'Tähän viestiin ei voi vastata.'
  );
}

function footerContact(organiser: Organiser): string {
  return `Yhteyshenkilö (${one(organiser.name)}): ${contactLine(organiser.contact)}`;
}

/** Puts the pieces together: one subject line, the text with its footer, a full HTML document. */
export function compose(args: {
  subject: string;
  organiser: Organiser;
  textBlocks: Array<string | false | undefined>;
  htmlBody: SafeHtml;
}): MailContent {
  const subject = one(args.subject);
  const blocks = args.textBlocks.filter((b): b is string => typeof b === 'string' && b !== '');
  const footer = `-- \n${footerSentence(args.organiser)}\n${footerContact(args.organiser)}`;
  const text = plainText(`${[...blocks, footer].join('\n\n')}\n`);
  const document = html`<!DOCTYPE html>
<html lang="fi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${subject}</title>
</head>
<body style="${STYLE.body}">
<div role="article" aria-label="${subject}" lang="fi" style="${STYLE.container}">
${args.htmlBody}
<div style="${STYLE.footer}">
<p style="${STYLE.p}">${footerSentence(args.organiser)}</p>
<p style="${STYLE.p}">${footerContact(args.organiser)}</p>
</div>
</div>
</body>
</html>
`;
  return { subject, text, html: document.toString() };
}

/** The call to action: a button and the same address as text for clients that lose the button. */
function linkHtml(label: string, linkUrl: string): SafeHtml {
  return html`<p style="${STYLE.p}"><a href="${linkUrl}" style="${STYLE.button}">${label}</a></p>
<p style="${STYLE.small}">Jos painike ei toimi, kopioi osoite selaimeen: ${linkUrl}</p>`;
}

function linkText(label: string, linkUrl: string): string {
  return `${label}: ${linkUrl}`;
}

export function paragraph(text: string): SafeHtml {
  return html`<p style="${STYLE.p}">${text}</p>`;
}

function listHtml(items: string[]): SafeHtml {
  return html`<ul style="${STYLE.list}">${items.map((item) => html`<li>${item}</li>`)}</ul>`;
}

function listText(items: string[]): string {
  return items.map((item) => `- ${item}`).join('\n');
}

export function multiLineHtml(text: string): SafeHtml {
  return textToHtml(text, STYLE.p);
}

// ---------------------------------------------------------------------------
// 1. The county's request to the municipality.
// ---------------------------------------------------------------------------

export interface ProposalRequestInput {
  round: Round;
  municipality: Municipality;
  /** The preparer's link to the proposal form. */
  linkUrl: string;
  /** The partnership group the municipality names members to. */
  groupName: string;
}

/** To the municipality's registry and preparer: name 1–max employees to the group by the deadline. */
export function proposalRequestMail({
  round,
  municipality,
  linkUrl,
  groupName,
}: ProposalRequestInput): MailContent {
  const link = checkedLink(linkUrl);
  const deadline = formatDateFi(round.deadline);
  const role = round.seats.max === 1 ? 'edustajaksi' : 'edustajiksi';
  // "kuntaa", not "Liperin kuntaa": five of the thirteen are cities (kaupunki).
  const request =
    `${one(round.organiser.name)} pyytää kuntaa nimeämään ${seatsPhrase(round)} ` +
    `kunnan ${role} ryhmään ${quoted(one(groupName))}. Ryhmä aloittaa toimintansa ` +
    `${formatDateFi(round.startDate)} ja kokoontuu noin ${timesPerYearFi(round.meetingsPerYear)}.`;
  const answerBy = `Vastausta pyydetään ${deadline} mennessä.`;
  const bodyGen = phraseGenitive(lowerFirst(one(municipality.body.name)));
  const steps = [
    'Valmistelija täyttää ehdotuksen alla olevan linkin kautta.',
    `Esittelijä hyväksyy ehdotuksen ${bodyGen} esityslistalle.`,
    'Toimielimen sihteeri kirjaa päätöksen, kun pöytäkirja on tarkastettu. Pöytäkirjanote lähtee ' +
      `hyvinvointialueen kirjaamoon ja tiedoksi ${BOARD_NAME_ALLATIVE} ja nimetyille.`,
  ];
  const recipients = `${one(municipality.name)}, kirjaamo`;
  const preparer = `Valmistelija: ${titledName(municipality.preparer)}`;
  const forwarding = 'Linkillä voi jättää kunnan ehdotuksen. Älä välitä viestiä kunnan ulkopuolelle.';
  const caseText = plainText(round.caseText).trim();

  return compose({
    subject: `Pyyntö: edustajien nimeäminen alueelliseen kumppanuusryhmään – vastaus ${deadline} mennessä`,
    organiser: round.organiser,
    textBlocks: [
      `${recipients}\n${preparer}`,
      one(round.title),
      request,
      answerBy,
      caseText && `Tausta\n${caseText}`,
      `Näin asia etenee\n${steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}`,
      linkText('Täytä ehdotus', link),
      forwarding,
    ],
    htmlBody: html`<p style="${STYLE.p}">${recipients}<br>${preparer}</p>
<h1 style="${STYLE.h1}">${one(round.title)}</h1>
${paragraph(request)}
<p style="${STYLE.p}"><strong>${answerBy}</strong></p>
${caseText && html`<h2 style="${STYLE.h2}">Tausta</h2>${multiLineHtml(caseText)}`}
<h2 style="${STYLE.h2}">Näin asia etenee</h2>
<ol style="${STYLE.list}">${steps.map((s) => html`<li>${s}</li>`)}</ol>
${linkHtml('Täytä ehdotus', link)}
${paragraph(forwarding)}`,
  });
}

// ---------------------------------------------------------------------------
// 2. and 3. Steps inside the municipality.
// ---------------------------------------------------------------------------

export interface MunicipalStepInput {
  round: Round;
  municipality: Municipality;
  proposal: Proposal;
  linkUrl: string;
}

/** The nominees and the päätösehdotus, shown to the presenter and the secretary. */
function proposalSummary(proposal: Proposal): { text: string[]; html: SafeHtml } {
  const nominees = proposal.nominees.map(nomineeLine);
  const proposalTextClean = plainText(proposal.text).trim();
  return {
    text: [`Ehdotetut edustajat\n${listText(nominees)}`, `Päätösehdotus\n${proposalTextClean}`],
    html: html`<h2 style="${STYLE.h2}">Ehdotetut edustajat</h2>
${listHtml(nominees)}
<h2 style="${STYLE.h2}">Päätösehdotus</h2>
${multiLineHtml(proposalTextClean)}`,
  };
}

/** To the presenter (esittelijä): review the proposal and approve it for the committee's agenda. */
export function approvalRequestMail({
  round,
  municipality,
  proposal,
  linkUrl,
}: MunicipalStepInput): MailContent {
  const link = checkedLink(linkUrl);
  const municipalityGen = municipalityGenitive(one(municipality.name));
  const bodyGen = phraseGenitive(lowerFirst(one(municipality.body.name)));
  const greeting = `Hyvä ${one(municipality.presenter.name)},`;
  const intro =
    `${municipalityGen} ehdotus edustajiksi ryhmään ${quoted(groupNameFor(round, municipality.id))} ` +
    `odottaa hyväksyntääsi. Tarkista ehdotus ja hyväksy se ${bodyGen} esityslistalle.`;
  const submitted = `Ehdotuksen jätti ${one(proposal.submittedBy)} ${formatDateTimeFi(proposal.submittedAt)}.`;
  const changes =
    'Jos ehdotukseen tarvitaan muutoksia, ole yhteydessä valmistelijaan: ' +
    `${contactLine(municipality.preparer)}.`;
  const next =
    'Hyväksynnän jälkeen toimielimen sihteeri saa pyynnön kirjata päätöksen kokouksen jälkeen. ' +
    `Hyvinvointialue pyytää vastausta ${formatDateFi(round.deadline)} mennessä.`;
  const summary = proposalSummary(proposal);

  return compose({
    subject: `Hyväksyttävänä: ${municipalityGen} ehdotus edustajiksi alueelliseen kumppanuusryhmään`,
    organiser: round.organiser,
    textBlocks: [
      greeting,
      intro,
      ...summary.text,
      submitted,
      linkText('Hyväksy ehdotus', link),
      changes,
      next,
    ],
    htmlBody: html`${paragraph(greeting)}
<h1 style="${STYLE.h1}">Ehdotus hyväksyttävänä</h1>
${paragraph(intro)}
${summary.html}
${paragraph(submitted)}
${linkHtml('Hyväksy ehdotus', link)}
${paragraph(changes)}
${paragraph(next)}`,
  });
}

/** To the committee secretary: record the decision (meeting date, §, outcome) after the meeting. */
export function decisionRequestMail({
  round,
  municipality,
  proposal,
  linkUrl,
}: MunicipalStepInput): MailContent {
  const link = checkedLink(linkUrl);
  const bodyName = lowerFirst(one(municipality.body.name));
  const bodyGen = phraseGenitive(bodyName);
  const greeting = `${upperFirst(bodyGen)} sihteerille`;
  const intro =
    `Esittelijä ${one(municipality.presenter.name)} on hyväksynyt alla olevan ehdotuksen ${bodyGen} ` +
    `esityslistalle. Asia koskee edustajien nimeämistä ryhmään ${quoted(groupNameFor(round, municipality.id))}.`;
  const checkers = municipality.minuteCheckers ?? [];
  const whatToRecord =
    checkers.length > 0
      ? 'Kirjaa päätös kokouksen jälkeen: kokouspäivä, pykälä (§) ja päätös – hyväksyttiinkö ' +
        'päätösehdotus sellaisenaan vai muutettuna ja ketkä nimettiin.'
      : 'Kirjaa päätös, kun pöytäkirja on tarkastettu: kokouspäivä, pykälä (§) ja päätös – hyväksyttiinkö ' +
        'päätösehdotus sellaisenaan vai muutettuna ja ketkä nimettiin.';
  const afterRecording =
    checkers.length > 0
      ? `Kun päätös on kirjattu, pöytäkirjantarkastajat (${checkers.map((c) => one(c.name)).join(', ')}) ` +
        'saavat kukin linkin tarkastaa pykälä. Kun kaikki ovat hyväksyneet, pöytäkirjanote lähtee '
      : 'Kun päätös on kirjattu, pöytäkirjanote lähtee ';
  const next =
    `${afterRecording}hyvinvointialueen kirjaamoon ja tiedoksi ` +
    `${BOARD_NAME_ALLATIVE} ja nimetyille. Hyvinvointialue pyytää vastausta ` +
    `${formatDateFi(round.deadline)} mennessä.`;
  const summary = proposalSummary(proposal);

  return compose({
    subject: `Kirjattavana: ${phraseGenitive(bodyOf(municipality))} päätös alueellisen kumppanuusryhmän edustajista`,
    organiser: round.organiser,
    textBlocks: [greeting, intro, whatToRecord, ...summary.text, linkText('Kirjaa päätös', link), next],
    htmlBody: html`${paragraph(greeting)}
<h1 style="${STYLE.h1}">Päätös kirjattavana</h1>
${paragraph(intro)}
${paragraph(whatToRecord)}
${summary.html}
${linkHtml('Kirjaa päätös', link)}
${paragraph(next)}`,
  });
}

export interface MinuteCheckInput {
  round: Round;
  municipality: Municipality;
  decision: Decision;
  checker: Pick<Person, 'name'>;
  linkUrl: string;
}

/** The decided section as the checker sees it: meeting, §, decision, the people named. */
function decisionSummary(decision: Decision): { text: string[]; html: SafeHtml } {
  const facts = [
    `Kokous: ${formatDateFi(decision.meetingDate)}`,
    `Pykälä: § ${one(decision.section)}`,
    ...(decision.diaryNumber ? [`Asianumero: ${one(decision.diaryNumber)}`] : []),
  ];
  const nominees = decision.nominees.map(nomineeLine);
  const text = plainText(decision.text).trim();
  return {
    text: [facts.join('\n'), `Päätös\n${text}`, `Nimetyt edustajat\n${listText(nominees)}`],
    html: html`<p style="${STYLE.p}">${facts.map((f, i) => html`${i > 0 && html`<br>`}${f}`)}</p>
<h2 style="${STYLE.h2}">Päätös</h2>
${multiLineHtml(text)}
<h2 style="${STYLE.h2}">Nimetyt edustajat</h2>
${listHtml(nominees)}`,
  };
}

/** To a minute checker (pöytäkirjantarkastaja): approve the decision's section, or report what to correct. */
export function minuteCheckRequestMail({
  round,
  municipality,
  decision,
  checker,
  linkUrl,
}: MinuteCheckInput): MailContent {
  const link = checkedLink(linkUrl);
  const bodyGen = phraseGenitive(lowerFirst(one(municipality.body.name)));
  const greeting = `Hyvä ${one(checker.name)},`;
  const intro =
    `Sinut on valittu tarkastamaan ${bodyGen} pöytäkirja. Tarkista alla oleva pykälä, joka koskee ` +
    `edustajien nimeämistä ryhmään ${quoted(groupNameFor(round, municipality.id))}, ja hyväksy se.`;
  const objection =
    'Jos pykälässä on korjattavaa, kirjoita se linkin sivulle: asia palaa toimielimen sihteerille, ' +
    'ja tarkastus alkaa korjatusta pykälästä uudelleen.';
  const next =
    'Pöytäkirjanote lähtee hyvinvointialueen kirjaamoon ja tiedoksi asianosaisille, kun kaikki ' +
    `tarkastajat ovat hyväksyneet pykälän. Hyvinvointialue pyytää vastausta ${formatDateFi(round.deadline)} mennessä.`;
  const summary = decisionSummary(decision);
  return compose({
    subject: `Tarkastettavana: ${phraseGenitive(bodyOf(municipality))} pöytäkirjan § ${one(decision.section)}`,
    organiser: round.organiser,
    textBlocks: [greeting, intro, ...summary.text, linkText('Tarkasta pykälä', link), objection, next],
    htmlBody: html`${paragraph(greeting)}
<h1 style="${STYLE.h1}">Pöytäkirjan pykälä tarkastettavana</h1>
${paragraph(intro)}
${summary.html}
${linkHtml('Tarkasta pykälä', link)}
${paragraph(objection)}
${paragraph(next)}`,
  });
}

// ---------------------------------------------------------------------------
// 4. The excerpt of the minutes (pöytäkirjanote): see excerpt.ts.
// ---------------------------------------------------------------------------

// 5. When the group starts: activation-texts.ts.

// ---------------------------------------------------------------------------
// 6. No answer by the deadline.
// ---------------------------------------------------------------------------

/** To the organiser: the municipality did not answer by the deadline. */
export function noAnswerMail({
  round,
  municipality,
}: {
  round: Round;
  municipality: Municipality;
}): MailContent {
  const deadline = formatDateFi(round.deadline);
  const name = one(municipality.name);
  const statement =
    `${name} ei ole nimennyt edustajia ryhmään ` +
    `${quoted(groupNameFor(round, municipality.id))} ${deadline} päättyneessä määräajassa.`;
  const consequence = `Kunnan nimitys on merkitty ${SERVICE_NAME}ssa vastaamattomaksi.`;
  const contacts = [
    `Kirjaamo: ${one(municipality.registryEmail)}`,
    `Valmistelija: ${contactLine(municipality.preparer)}`,
    `Esittelijä: ${contactLine(municipality.presenter)}`,
  ];

  return compose({
    subject: `Ei vastausta: ${name} – määräaika ${deadline} päättyi`,
    organiser: round.organiser,
    textBlocks: [statement, consequence, `Kunnan yhteystiedot\n${listText(contacts)}`],
    htmlBody: html`<h1 style="${STYLE.h1}">Ei vastausta: ${name}</h1>
${paragraph(statement)}
${paragraph(consequence)}
<h2 style="${STYLE.h2}">Kunnan yhteystiedot</h2>
${listHtml(contacts)}`,
  });
}
