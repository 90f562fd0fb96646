/**
 * Server-rendered pages behind the e-mailed links. Finnish, accessible, no JavaScript
 * and no external resources: the only style is the inline sheet below, allowed by its
 * hash in the Content-Security-Policy.
 *
 * All markup goes through the `html` tag of domain/html.ts, which escapes every
 * interpolated value unless it is markup built by `html` itself: forgetting to escape
 * is not possible, and `raw` is used only for the constant style sheet.
 */
import { createHash } from 'node:crypto';
import type { FieldError } from '../domain/errors.ts';
import { displayDateFi, displayDateTimeFi, timesPerYearFi, upperFirst } from '../domain/finnish.ts';
import {
  ADOPTED_TEXT,
  COMMENT_MAX,
  LIMITS,
  NOMINEE_PARTS,
  NOMINEES_FIELD,
  type NomineePart,
  nomineeField,
} from '../domain/forms.ts';
import { type HtmlValue, html, raw, type SafeHtml, textToHtml } from '../domain/html.ts';
import type { Decision, Municipality, Person, Proposal, Round } from '../domain/types.ts';

// ---------------------------------------------------------------------------------
// Style and CSP

/** The whole style sheet. Contrast ≥ 4.5:1 throughout; focus ring visible on any background. */
export const PAGE_STYLE = `
:root{color-scheme:light;--ink:#1b1b1b;--muted:#484848;--line:#6e6e6e;--accent:#00558c;--accent-dark:#003a60;--error:#b3261e;--focus:#ffbf47}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:1.0625rem;line-height:1.5;color:var(--ink);background:#fff;overflow-wrap:anywhere}
.page-header{background:var(--accent);color:#fff;padding:.75rem 1rem}
.page-header p{margin:0;max-width:44rem;margin-inline:auto}
.page-header .organiser{font-weight:700}
main{display:block;max-width:44rem;margin:0 auto;padding:1rem 1rem 3rem}
h1{font-size:1.75rem;line-height:1.2;margin:1rem 0}
h2{font-size:1.3rem;line-height:1.3;margin:2rem 0 .75rem}
a{color:var(--accent);text-decoration-thickness:.08em;text-underline-offset:.15em}
.lead{font-size:1.15rem}
.hint{color:var(--muted);margin:.25rem 0 .5rem}
.field{margin:0 0 1.25rem}
label,legend{display:block;font-weight:600}
legend{padding:0 .25rem;font-size:1.1rem}
fieldset{border:1px solid var(--line);border-radius:4px;margin:0 0 1.25rem;padding:.75rem 1rem .25rem;min-width:0}
input[type=text],input[type=email],input[type=tel],input[type=date],textarea{display:block;width:100%;font:inherit;color:inherit;background:#fff;padding:.5rem;border:2px solid var(--ink);border-radius:0;min-height:2.75rem}
textarea{min-height:12rem;resize:vertical}
.radio{display:flex;gap:.75rem;align-items:flex-start;margin:.5rem 0}
.radio input{flex:none;width:1.5rem;height:1.5rem;margin:.1rem 0 0;accent-color:var(--accent)}
.radio label{font-weight:400}
.invalid{border-left:4px solid var(--error);padding-left:.75rem}
.field-error{color:var(--error);font-weight:700;margin:.25rem 0}
[aria-invalid=true]{border-color:var(--error)}
.error-summary{border:4px solid var(--error);padding:1rem 1.25rem;margin:1rem 0 1.5rem}
.error-summary h2{margin-top:0}
.error-summary ul{margin:0;padding-left:1.25rem}
.error-summary a{color:var(--error);font-weight:700}
button{font:inherit;font-weight:700;color:#fff;background:var(--accent);border:2px solid transparent;border-radius:4px;padding:.75rem 1.25rem;min-height:2.75rem;cursor:pointer}
button:hover{background:var(--accent-dark)}
:focus-visible{outline:3px solid var(--ink);outline-offset:2px;box-shadow:0 0 0 6px var(--focus)}
.error-summary:focus{outline:3px solid var(--ink);outline-offset:2px}
.quote{border-left:4px solid var(--line);padding-left:1rem;margin:.5rem 0 1rem}
.people{padding-left:1.25rem}
.people li{margin-bottom:.5rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:.5rem 0 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
details{margin:1rem 0}
summary{cursor:pointer;color:var(--accent);font-weight:600}
.status{color:var(--muted)}
.notice{border-left:6px solid var(--accent);background:#eef5fa;padding:.75rem 1rem;margin:1rem 0}
.notice h2{margin-top:0}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (max-width:30rem){h1{font-size:1.5rem}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.5rem}button{width:100%}}
`;

/** CSP source for PAGE_STYLE, e.g. `sha256-…` (put it in quotes in the header). */
export const PAGE_STYLE_HASH = `sha256-${createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64')}`;

/**
 * The Content-Security-Policy header these pages are written for: nothing may load,
 * no script runs, forms only post back to this origin, no framing.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src '${PAGE_STYLE_HASH}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

// ---------------------------------------------------------------------------------
// Formatting

function seatRange(round: Round): string {
  const { min, max } = round.seats;
  return min === max ? String(min) : `${min}–${max}`;
}

function groupNameOf(round: Round, municipality: Municipality): string | undefined {
  return round.groups.find((g) => g.municipalityIds.includes(municipality.id))?.name;
}

// ---------------------------------------------------------------------------------
// Layout and form parts

/** A field's element id: the form name with dots as hyphens ("nominees.0.email" → "nominees-0-email"). */
export function fieldId(name: string): string {
  return name.replace(/\./g, '-');
}

export type FormValues = Readonly<Record<string, string | undefined>>;

class ErrorIndex {
  private readonly byField = new Map<string, string[]>();
  constructor(readonly all: readonly FieldError[] = []) {
    for (const e of all) this.byField.set(e.field, [...(this.byField.get(e.field) ?? []), e.message]);
  }
  get any(): boolean {
    return this.all.length > 0;
  }
  for(field: string): string[] {
    return this.byField.get(field) ?? [];
  }
}

interface Layout {
  title: string;
  heading: string;
  /** Municipality, group etc. shown under the organiser's name. */
  context?: { organiser: string; lines: string[] };
  errors?: ErrorIndex;
  body: SafeHtml;
}

function layout({ title, heading, context, errors, body }: Layout): string {
  const fullTitle = `${errors?.any ? 'Virhe: ' : ''}${title} – Nimitys`;
  const doc = html`<!doctype html>
<html lang="fi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${fullTitle}</title>
<style>${raw(PAGE_STYLE)}</style>
</head>
<body>
${
  context &&
  html`<header class="page-header">
<p class="organiser">${context.organiser}</p>
${context.lines.map((line) => html`<p>${line}</p>\n`)}</header>
`
}<main>
<h1>${heading}</h1>
${errors && errorSummary(errors)}${body}
</main>
</body>
</html>
`;
  return doc.toString();
}

/**
 * The error summary gets focus on load (autofocus on a tabindex=-1 box works without
 * script), so a screen reader starts from the list of what to fix.
 */
function errorSummary(errors: ErrorIndex): SafeHtml | undefined {
  if (!errors.any) return undefined;
  return html`<div class="error-summary" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
<h2 id="error-summary-title">Tarkista seuraavat kohdat</h2>
<ul>
${errors.all.map((e) => html`<li><a href="#${fieldId(e.field)}">${e.message}</a></li>\n`)}</ul>
</div>
`;
}

function fieldErrors(id: string, messages: readonly string[]): SafeHtml | undefined {
  if (messages.length === 0) return undefined;
  return html`<p class="field-error" id="${id}-error"><span class="visually-hidden">Virhe: </span>${messages.join(' ')}</p>\n`;
}

/** Ids for aria-describedby: the hint and the error, when present. */
function describedBy(id: string, hint: boolean, error: boolean): string | undefined {
  const ids = [hint && `${id}-hint`, error && `${id}-error`].filter(
    (x): x is string => typeof x === 'string',
  );
  return ids.length > 0 ? ids.join(' ') : undefined;
}

function attribute(name: string, value: string | number | undefined): SafeHtml | undefined {
  return value === undefined ? undefined : html` ${raw(name)}="${value}"`;
}

interface InputSpec {
  name: string;
  label: string;
  value: string;
  errors: readonly string[];
  type?: 'text' | 'email' | 'tel' | 'date';
  hint?: string;
  autocomplete?: string;
  maxlength?: number;
  inputmode?: 'numeric' | 'email' | 'tel' | 'text';
  spellcheck?: boolean;
}

/** Label, hint, error and input, wired together with for/id and aria-describedby. */
function inputField(spec: InputSpec): SafeHtml {
  const id = fieldId(spec.name);
  const invalid = spec.errors.length > 0;
  return html`<div class="field${invalid ? ' invalid' : ''}">
<label for="${id}">${spec.label}</label>
${spec.hint && html`<p class="hint" id="${id}-hint">${spec.hint}</p>\n`}${fieldErrors(id, spec.errors)}<input type="${spec.type ?? 'text'}" id="${id}" name="${spec.name}" value="${spec.value}"${attribute('autocomplete', spec.autocomplete ?? 'off')}${attribute('maxlength', spec.maxlength)}${attribute('inputmode', spec.inputmode)}${attribute('spellcheck', spec.spellcheck === false ? 'false' : undefined)}${attribute('aria-invalid', invalid ? 'true' : undefined)}${attribute('aria-describedby', describedBy(id, Boolean(spec.hint), invalid))}>
</div>`;
}

function textareaField(spec: Omit<InputSpec, 'type' | 'autocomplete' | 'inputmode'>): SafeHtml {
  const id = fieldId(spec.name);
  const invalid = spec.errors.length > 0;
  // The newline after the start tag is eaten by the HTML parser; without it a value
  // starting with a line break would lose it.
  return html`<div class="field${invalid ? ' invalid' : ''}">
<label for="${id}">${spec.label}</label>
${spec.hint && html`<p class="hint" id="${id}-hint">${spec.hint}</p>\n`}${fieldErrors(id, spec.errors)}<textarea id="${id}" name="${spec.name}" rows="10" autocomplete="off"${attribute('maxlength', spec.maxlength)}${attribute('aria-invalid', invalid ? 'true' : undefined)}${attribute('aria-describedby', describedBy(id, Boolean(spec.hint), invalid))}>
${spec.value}</textarea>
</div>`;
}

const NOMINEE_LABELS: Record<NomineePart, { label: string; type: InputSpec['type']; max: number }> = {
  name: { label: 'Nimi', type: 'text', max: LIMITS.name },
  title: { label: 'Tehtävänimike', type: 'text', max: LIMITS.title },
  email: { label: 'Työsähköposti', type: 'email', max: LIMITS.email },
  phone: { label: 'Työpuhelin (vapaaehtoinen)', type: 'tel', max: LIMITS.phone },
};

/**
 * One fieldset per nominee row. The nominees are colleagues, not the person filling
 * in, so browser autofill (which would offer the official's own details) is off.
 */
function nomineeRows(
  rowCount: number,
  minRequired: number,
  value: (field: string) => string,
  errors: ErrorIndex,
) {
  return Array.from({ length: rowCount }, (_, index) => {
    const optional = index >= minRequired ? ' (vapaaehtoinen)' : '';
    return html`<fieldset>
<legend>Henkilö ${index + 1}${optional}</legend>
${NOMINEE_PARTS.map((part) => {
  const name = nomineeField(index, part);
  const spec = NOMINEE_LABELS[part];
  return inputField({
    name,
    label: spec.label,
    type: spec.type,
    value: value(name),
    errors: errors.for(name),
    maxlength: spec.max,
    spellcheck: part === 'email' || part === 'phone' ? false : undefined,
  });
})}
</fieldset>
`;
  });
}

/** Heading, hint and list-level errors of the nominee rows; the target of "#nominees" links. */
function nomineeSection(heading: string, hint: string, rows: SafeHtml[], errors: ErrorIndex): SafeHtml {
  const id = fieldId(NOMINEES_FIELD);
  return html`<section id="${id}" tabindex="-1" aria-labelledby="${id}-heading">
<h2 id="${id}-heading">${heading}</h2>
<p class="hint" id="${id}-hint">${hint}</p>
${fieldErrors(id, errors.for(NOMINEES_FIELD))}${rows}
</section>`;
}

function personLine(person: Person): SafeHtml {
  return html`<strong>${person.name}</strong>, ${person.title}<br>${person.email}${person.phone && html`, puh. ${person.phone}`}`;
}

function peopleList(people: readonly Person[]): SafeHtml {
  return html`<ol class="people">${people.map((p) => html`<li>${personLine(p)}</li>`)}</ol>`;
}

function facts(rows: ReadonlyArray<readonly [string, HtmlValue]>): SafeHtml {
  return html`<dl class="facts">${rows.map(([term, detail]) => html`<dt>${term}</dt><dd>${detail}</dd>`)}</dl>`;
}

function officialName(person: Person): string {
  return `${person.title} ${person.name}`;
}

/** Name of the hidden field that carries the link's CSRF value. */
export const CSRF_FIELD = 'csrf';
/** Name of the hidden field that says where the link acts, so that a submit reads the link and its nomination at once. */
export const TARGET_FIELD = 'target';

/** What every form of a link page posts back in hidden fields (the link page always sets both). */
export interface LinkFormHidden {
  /** The link's CSRF value. */
  csrf?: string;
  /** Where the link acts (link-routes.ts targetValue); a hint for reading, checked against the link. */
  target?: string;
}

function submitForm(content: SafeHtml, button: string | SafeHtml, hidden: LinkFormHidden): SafeHtml {
  // novalidate: the server's Finnish messages and error summary are the one source of
  // truth; the browser's own bubbles would be in its UI language and not linked.
  return html`<form method="post" action="" enctype="application/x-www-form-urlencoded" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${hidden.csrf ?? ''}">
${hidden.target !== undefined && html`<input type="hidden" name="${TARGET_FIELD}" value="${hidden.target}">`}
${content}
${typeof button === 'string' ? html`<button type="submit">${button}</button>` : button}
</form>`;
}

/**
 * "Hand this to a colleague": the recipient names a substitute, who gets a new link; this
 * one stops working. A submit button (not a hidden field) marks the form, so a client
 * that copies hidden inputs never hands off by accident.
 */
function handOffSection(
  hidden: LinkFormHidden,
  values: FormValues | undefined,
  errors: ErrorIndex,
): SafeHtml {
  const open = errors.for('substituteEmail').length > 0 || errors.for('substituteName').length > 0;
  return html`<details${open && html` open`}>
<summary>Siirrä tehtävä sijaiselle</summary>
<p>Jos et itse hoida tätä, anna tehtävä kollegallesi. Hän saa uuden linkin sähköpostiinsa, ja tämä linkki lakkaa toimimasta. Siirto kirjataan asian tietoihin.</p>
${submitForm(
  html`${inputField({
    name: 'substituteName',
    label: 'Sijaisen nimi',
    value: values?.substituteName ?? '',
    errors: errors.for('substituteName'),
    maxlength: LIMITS.name,
  })}
${inputField({
  name: 'substituteEmail',
  label: 'Sijaisen työsähköposti',
  type: 'email',
  value: values?.substituteEmail ?? '',
  errors: errors.for('substituteEmail'),
  maxlength: LIMITS.email,
  spellcheck: false,
})}`,
  html`<button type="submit" name="handoff" value="1">Siirrä sijaiselle</button>`,
  hidden,
)}
</details>`;
}

function pageContext(round: Round, municipality: Municipality, groupName: string | undefined) {
  return {
    organiser: round.organiser.name,
    lines: [`${municipality.name}${groupName ? ` · ${groupName}` : ''}`],
  };
}

// ---------------------------------------------------------------------------------
// Pages

export interface ProposalPageInput extends LinkFormHidden {
  round: Round;
  municipality: Municipality;
  groupName: string;
  /** The päätösehdotus text offered for editing when nothing has been typed yet. */
  defaultText: string;
  /** The submitted form, to show again after errors. */
  values?: FormValues;
  errors?: readonly FieldError[];
  /** Set when the proposal came back from the presenter or the committee: shown on top. */
  returned?: { byName: string; at: string; comment: string; from: 'approval' | 'decision' };
  /** The proposal so far (after a return), to start the rows from. */
  previous?: Proposal;
}

/** The preparer's page: who to nominate and the proposal text. */
export function renderProposalPage(input: ProposalPageInput): string {
  const { round, municipality, groupName } = input;
  const errors = new ErrorIndex(input.errors);
  const value = (field: string): string => {
    if (input.values) return input.values[field] ?? '';
    const match = /^nominees\.(\d+)\.(\w+)$/.exec(field);
    const person = match ? input.previous?.nominees[Number(match[1])] : undefined;
    const part = NOMINEE_PARTS.find((p) => p === match?.[2]);
    return (person && part && person[part]) ?? '';
  };
  const seats = seatRange(round);
  const returned = input.returned;
  const body = html`${
    returned &&
    html`<div class="notice" role="note">
<h2>Ehdotus palautettiin korjattavaksi</h2>
<p>${returned.byName} palautti ehdotuksen ${displayDateTimeFi(returned.at)}${returned.from === 'decision' ? ' (toimielimen päätöksellä)' : ''}.</p>
<div class="quote">${textToHtml(returned.comment)}</div>
</div>
`
  }<p class="lead">${round.organiser.name} pyytää kuntaa nimeämään ${seats} työntekijää alueelliseen kumppanuusryhmään.</p>
${facts([
  ['Kumppanuusryhmä', groupName],
  ['Toiminta alkaa', `${displayDateFi(round.startDate)}, noin ${timesPerYearFi(round.meetingsPerYear)}`],
  ['Vastaa viimeistään', html`<strong>${displayDateFi(round.deadline)}</strong>`],
])}
<details>
<summary>Pyynnön tausta</summary>
${textToHtml(round.caseText)}
</details>
${submitForm(
  html`${nomineeSection(
    'Ehdotettavat henkilöt',
    `Täytä ${seats} henkilöä. Nimi, tehtävänimike ja sähköposti ovat pakollisia, puhelin on vapaaehtoinen. Jätä ylimääräiset rivit tyhjiksi.`,
    nomineeRows(round.seats.max, round.seats.min, value, errors),
    errors,
  )}
<h2>Päätösehdotus</h2>
${textareaField({
  name: 'text',
  label: 'Päätösehdotuksen teksti',
  hint: 'Voit muokata tekstiä. Jos tyhjennät kentän, teksti muodostetaan henkilöistä automaattisesti.',
  value: input.values?.text ?? (input.previous?.text || input.defaultText),
  errors: errors.for('text'),
  maxlength: LIMITS.text,
})}
<h2>Tarkista ennen lähettämistä</h2>
<p>Ehdotus lähtee esittelijälle, joka hyväksyy sen esityslistalle. Asiasta päättää toimielin.</p>
${facts([
  ['Esittelijä', `${officialName(municipality.presenter)} (${municipality.presenter.email})`],
  ['Päättää', municipality.body.name],
])}`,
  'Lähetä ehdotus esittelijälle',
  input,
)}
${handOffSection(input, input.values, errors)}
${contactFooter(round)}`;
  return layout({
    title: round.title,
    heading: round.title,
    context: pageContext(round, municipality, groupName),
    errors,
    body,
  });
}

function contactFooter(round: Round): SafeHtml {
  const contact = round.organiser.contact;
  return html`<h2>Lisätietoja</h2>
<p>${officialName(contact)}, ${contact.email}${contact.phone && html`, puh. ${contact.phone}`}</p>`;
}

function proposalSummary(proposal: Proposal): SafeHtml {
  return html`<h2>Ehdotetut henkilöt</h2>
${peopleList(proposal.nominees)}
<h2>Päätösehdotus</h2>
<div class="quote">${textToHtml(proposal.text)}</div>`;
}

/** The approve button, and under it a folded form to send the item back with a comment. */
function approveOrReturn(args: {
  approve: string;
  summary: string;
  explanation: string;
  returnButton: string;
  open: boolean;
  hidden: LinkFormHidden;
  values?: FormValues;
  errors: ErrorIndex;
}): SafeHtml {
  return html`${submitForm(html`<input type="hidden" name="action" value="approve">`, args.approve, args.hidden)}
<details${args.open && html` open`}>
<summary>${args.summary}</summary>
<p>${args.explanation}</p>
${submitForm(
  textareaField({
    name: 'comment',
    label: 'Mitä pitää korjata?',
    value: args.values?.comment ?? '',
    errors: args.errors.for('comment'),
    maxlength: COMMENT_MAX,
  }),
  html`<button type="submit" name="action" value="return">${args.returnButton}</button>`,
  args.hidden,
)}
</details>`;
}

export interface ApprovalPageInput extends LinkFormHidden {
  round: Round;
  municipality: Municipality;
  proposal: Proposal;
  values?: FormValues;
  errors?: readonly FieldError[];
}

/** The presenter's page: check the proposal and put it on the committee's agenda, or return it. */
export function renderApprovalPage({
  round,
  municipality,
  proposal,
  values,
  errors: fieldErrorList,
  ...hidden
}: ApprovalPageInput): string {
  const preparer = municipality.preparer;
  const errors = new ErrorIndex(fieldErrorList);
  const returning = errors.for('comment').length > 0;
  const body = html`<p class="lead">Valmistelija on lähettänyt päätösehdotuksen. Tarkista se ja hyväksy se esityslistalle.</p>
${facts([
  ['Asia', round.title],
  ['Valmistelija', officialName(preparer)],
  ['Lähetetty', displayDateTimeFi(proposal.submittedAt)],
  ['Päättää', municipality.body.name],
])}
${proposalSummary(proposal)}
${approveOrReturn({
  approve: 'Hyväksy esityslistalle',
  summary: 'Palauta valmistelijalle',
  explanation: `Jos ehdotusta pitää muuttaa, palauta se valmistelijalle (${preparer.name}). Hän saa ehdotuksen ja kommenttisi uudella linkillä.`,
  returnButton: 'Palauta valmistelijalle',
  open: returning,
  hidden,
  values,
  errors,
})}
${handOffSection(hidden, values, errors)}`;
  return layout({
    title: 'Hyväksy ehdotus esityslistalle',
    heading: 'Hyväksy ehdotus esityslistalle',
    context: pageContext(round, municipality, groupNameOf(round, municipality)),
    errors,
    body,
  });
}

export interface DecisionPageInput extends LinkFormHidden {
  round: Round;
  municipality: Municipality;
  proposal: Proposal;
  values?: FormValues;
  errors?: readonly FieldError[];
  /** The item was tabled before: its meetings. */
  tabled?: { meetingDate: string; section: string; nextMeetingDate: string };
  /** A minute checker found something to correct in the decision recorded before. */
  objection?: { comment: string; byName: string; at: string };
}

const OUTCOME_LABELS = [
  ['adopted', 'Hyväksyttiin päätösehdotus (henkilöt kuten ehdotuksessa)'],
  ['adopted_with_changes', 'Hyväksyttiin muutettuna (lautakunta muutti henkilöitä)'],
  ['returned', 'Palautettiin valmisteluun (ehdotus palaa valmistelijalle)'],
  ['tabled', 'Pantiin pöydälle (päätetään seuraavassa kokouksessa)'],
  ['rejected', 'Hylättiin (kunta ei nimeä edustajia)'],
] as const;

function outcomeField(checked: string, errors: ErrorIndex): SafeHtml {
  const messages = errors.for('outcome');
  // The first radio carries the field's own id, so "#outcome" links land on it.
  const radioId = (i: number, v: string) => (i === 0 ? fieldId('outcome') : `${fieldId('outcome')}-${v}`);
  return html`<fieldset${attribute('class', messages.length > 0 ? 'invalid' : undefined)}${attribute('aria-describedby', messages.length > 0 ? 'outcome-error' : undefined)}>
<legend>Miten asiassa päätettiin?</legend>
${fieldErrors('outcome', messages)}${OUTCOME_LABELS.map(
  ([value, label], i) => html`<div class="radio">
<input type="radio" id="${radioId(i, value)}" name="outcome" value="${value}"${value === checked && html` checked`}>
<label for="${radioId(i, value)}">${label}</label>
</div>
`,
)}
</fieldset>`;
}

/** The committee secretary's page: record the meeting, section and outcome. */
export function renderDecisionPage(input: DecisionPageInput): string {
  const { round, municipality, proposal } = input;
  const errors = new ErrorIndex(input.errors);
  const values = input.values;
  const outcome = values?.outcome ?? 'adopted';
  // Before anything is typed, the rows show the proposal's nominees to edit from.
  const rowValue = (field: string): string => {
    if (values) return values[field] ?? '';
    const match = /^nominees\.(\d+)\.(\w+)$/.exec(field);
    const person = match ? proposal.nominees[Number(match[1])] : undefined;
    const part = NOMINEE_PARTS.find((p) => p === match?.[2]);
    return (person && part && person[part]) ?? '';
  };
  const rowCount = Math.max(round.seats.max, proposal.nominees.length);
  const nomineeErrors = errors.all.some((e) => e.field.startsWith(NOMINEES_FIELD));
  const tabled = input.tabled;
  const objection = input.objection;
  const body = html`${
    objection &&
    html`<div class="notice" role="note"><p>Pöytäkirjantarkastaja ${objection.byName} ilmoitti ${displayDateTimeFi(objection.at)} pykälässä korjattavaa:</p>
<div class="quote">${textToHtml(objection.comment)}</div>
<p>Kirjaa päätös korjattuna. Tarkastajat saavat korjatun pykälän tarkastettavaksi.</p></div>
`
  }${
    tabled &&
    html`<div class="notice" role="note"><p>Asia pantiin pöydälle kokouksessa ${displayDateFi(tabled.meetingDate)} (§ ${tabled.section}). Seuraava kokous: <strong>${displayDateFi(tabled.nextMeetingDate)}</strong>.</p></div>
`
  }<p class="lead">Kun ${municipality.body.name} on päättänyt asiasta, kirjaa päätös tähän. Tallennetusta päätöksestä lähtee pöytäkirjanote järjestäjälle (${round.organiser.name}) ja tieto nimetyille henkilöille.</p>
${facts([
  ['Asia', round.title],
  ['Päättää', municipality.body.name],
  ['Esittelijä', officialName(municipality.presenter)],
])}
${proposalSummary(proposal)}
${submitForm(
  html`<h2>Päätös</h2>
${inputField({
  name: 'meetingDate',
  label: 'Kokouspäivä',
  type: 'date',
  hint: 'Esimerkiksi 14.11.2023.',
  value: values?.meetingDate ?? '',
  errors: errors.for('meetingDate'),
})}
${inputField({
  name: 'section',
  label: 'Pykälä (§)',
  hint: 'Pykälän numero, esimerkiksi 87.',
  value: values?.section ?? '',
  errors: errors.for('section'),
  inputmode: 'numeric',
  // Room for a typed "§ " that the server strips.
  maxlength: LIMITS.section + 2,
})}
${inputField({
  name: 'diaryNumber',
  label: 'Asianumero (vapaaehtoinen)',
  hint: 'Jos kunta käyttää asianumeroita, esimerkiksi LIP/123/00.04.01/2023. Tulee pöytäkirjanotteeseen.',
  value: values?.diaryNumber ?? '',
  errors: errors.for('diaryNumber'),
  maxlength: LIMITS.diaryNumber,
})}
${outcomeField(outcome, errors)}
${textareaField({
  name: 'text',
  label: 'Päätöksen teksti',
  hint: 'Kuten pöytäkirjassa. Jos päätösehdotus hyväksyttiin muutettuna, kirjoita päätös sellaisena kuin se tehtiin.',
  value: values?.text ?? ADOPTED_TEXT,
  errors: errors.for('text'),
  maxlength: LIMITS.text,
})}
<fieldset>
<legend>Jos asia palautettiin tai pantiin pöydälle</legend>
${textareaField({
  name: 'comment',
  label: 'Palautuksen perustelu valmistelijalle',
  hint: 'Pakollinen, jos asia palautettiin valmisteluun.',
  value: values?.comment ?? '',
  errors: errors.for('comment'),
  maxlength: COMMENT_MAX,
})}
${inputField({
  name: 'nextMeetingDate',
  label: 'Seuraavan kokouksen päivä',
  type: 'date',
  hint: 'Pakollinen, jos asia pantiin pöydälle.',
  value: values?.nextMeetingDate ?? '',
  errors: errors.for('nextMeetingDate'),
})}
</fieldset>
<details${(nomineeErrors || outcome === 'adopted_with_changes') && html` open`}>
<summary>Muutetut henkilöt (vain jos päätös poikkesi ehdotuksesta)</summary>
${nomineeSection(
  'Lautakunnan nimeämät henkilöt',
  `Käytetään vain, jos valitsit ”Hyväksyttiin muutettuna”. Kentissä ovat päätösehdotuksen henkilöt: muuta, lisää tai tyhjennä rivejä niin, että ne vastaavat päätöstä (${seatRange(round)} henkilöä). Muuten nimetään päätösehdotuksen henkilöt.`,
  nomineeRows(rowCount, round.seats.min, rowValue, errors),
  errors,
)}
</details>`,
  'Tallenna päätös',
  input,
)}
${handOffSection(input, values, errors)}`;
  return layout({
    title: 'Kirjaa päätös',
    heading: 'Kirjaa lautakunnan päätös',
    context: pageContext(round, municipality, groupNameOf(round, municipality)),
    errors,
    body,
  });
}

export interface MinuteCheckPageInput extends LinkFormHidden {
  round: Round;
  municipality: Municipality;
  decision: Decision;
  /** The checker this link is for, and who else checks. */
  checkerName: string;
  otherCheckers: ReadonlyArray<{ name: string; approvedAt?: string }>;
  values?: FormValues;
  errors?: readonly FieldError[];
}

/** A minute checker's page: approve the decided section, or report what needs correcting. */
export function renderMinuteCheckPage(input: MinuteCheckPageInput): string {
  const { round, municipality, decision, values } = input;
  const errors = new ErrorIndex(input.errors);
  const objecting = errors.for('comment').length > 0;
  const others = input.otherCheckers.map(
    (c) =>
      `${c.name}: ${c.approvedAt ? `hyväksynyt ${displayDateTimeFi(c.approvedAt)}` : 'ei vielä tarkastanut'}`,
  );
  const body = html`<p class="lead">${upperFirst(municipality.body.name)} on päättänyt asiasta. Tarkista pöytäkirjan pykälä ja hyväksy se. Pöytäkirjanote lähtee, kun kaikki tarkastajat ovat hyväksyneet.</p>
${facts([
  ['Asia', round.title],
  ['Toimielin', municipality.body.name],
  ['Kokous', displayDateFi(decision.meetingDate)],
  ['Pykälä', `§ ${decision.section}`],
  ...(decision.diaryNumber ? [['Asianumero', decision.diaryNumber] as const] : []),
  ['Tarkastaja', input.checkerName],
  ...(others.length > 0 ? [['Muut tarkastajat', others.join('; ')] as const] : []),
])}
<h2>Päätös</h2>
<div class="quote">${textToHtml(decision.text)}</div>
<h2>Nimetyt henkilöt</h2>
${peopleList(decision.nominees)}
${approveOrReturn({
  approve: 'Hyväksy pykälä tarkastetuksi',
  summary: 'Pykälässä on korjattavaa',
  explanation:
    'Kirjoita, mitä pitää korjata. Asia palaa toimielimen sihteerille, ja saat korjatun pykälän tarkastettavaksi uudella linkillä.',
  returnButton: 'Lähetä korjauspyyntö sihteerille',
  open: objecting,
  hidden: input,
  values,
  errors,
})}
${handOffSection(input, values, errors)}`;
  return layout({
    title: 'Tarkasta pöytäkirjan pykälä',
    heading: 'Tarkasta pöytäkirjan pykälä',
    context: pageContext(round, municipality, groupNameOf(round, municipality)),
    errors,
    body,
  });
}

export interface ResultPageInput {
  title: string;
  message: string;
  details?: ReadonlyArray<readonly [string, string]>;
}

/** The "Kiitos" page after an action. */
export function renderResultPage({ title, message, details }: ResultPageInput): string {
  const body = html`${textToHtml(message)}
${details && details.length > 0 && facts(details)}
<p class="status">Voit sulkea tämän sivun.</p>`;
  return layout({ title, heading: title, body });
}

export type ErrorStatus = 400 | 403 | 404 | 405 | 409 | 410 | 413 | 429 | 500;

export interface ErrorPageInput {
  status: ErrorStatus;
  title: string;
  message: string;
  /** Facts about what happened (what, who, when). */
  details?: ReadonlyArray<readonly [string, string]>;
  /** Whom to contact instead of "reply to the mail". */
  contact?: Pick<Person, 'name' | 'email' | 'phone' | 'title'>;
}

/** A link that cannot be used (404, 410), a bad request (400, 403, 405, 413), a conflict (409), too many requests (429) or a fault (500). */
export function renderErrorPage({ status, title, message, details, contact }: ErrorPageInput): string {
  const body = html`${textToHtml(message)}
${details && details.length > 0 && facts(details)}
${
  contact
    ? html`<h2>Yhteyshenkilö</h2>
<p>${contact.title ? `${contact.title} ` : ''}${contact.name}, <a href="mailto:${contact.email}">${contact.email}</a>${contact.phone && html`, puh. ${contact.phone}`}</p>`
    : html`<p>Jos tarvitset apua, vastaa viestiin, jossa sait linkin.</p>`
}
<p class="status">Virhekoodi ${status}</p>`;
  return layout({ title, heading: title, body });
}
