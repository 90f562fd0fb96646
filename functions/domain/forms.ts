/**
 * Validation of the forms officials submit through their e-mailed links.
 *
 * Input is the URL-decoded form body; any field may be missing, and anything may be
 * in it. Every problem becomes a FieldError named exactly like the form field (so the
 * page can point at it) with a Finnish message; nothing else is ever thrown.
 */
import { type FieldError, ValidationError } from './errors.ts';
import type { DecisionOutcome, Person, Proposal, SeatLimits } from './types.ts';

/** Maximum lengths, in UTF-16 code units like the HTML `maxlength` the pages set. */
export const LIMITS = {
  name: 200,
  title: 200,
  /** RFC 5321 path limit. */
  email: 254,
  emailLocalPart: 64,
  phone: 30,
  text: 5000,
  section: 10,
  diaryNumber: 60,
} as const;

/** The decision text when the committee adopted the proposal as it was. */
export const ADOPTED_TEXT = 'Hyväksyttiin päätösehdotus.';

export const DECISION_OUTCOMES: readonly DecisionOutcome[] = ['adopted', 'adopted_with_changes'];

/** The parts of one nominee row, in form order: `nominees.N.<part>`. */
export const NOMINEE_PARTS = ['name', 'title', 'email', 'phone'] as const;
export type NomineePart = (typeof NOMINEE_PARTS)[number];

/** Form field name of one nominee part, e.g. `nominees.2.email`. */
export function nomineeField(index: number, part: NomineePart): string {
  return `nominees.${index}.${part}`;
}

/** Field name used for errors about the nominee list as a whole (count, no change). */
export const NOMINEES_FIELD = 'nominees';

export type Fields = Readonly<Record<string, string | undefined>>;

export interface ProposalForm {
  nominees: Person[];
  /** Empty when the preparer cleared it: the caller then uses the default text. */
  text: string;
}

export interface DecisionForm {
  outcome: DecisionOutcome;
  meetingDate: string;
  section: string;
  text: string;
  nominees: Person[];
  /** Asianumero, when the municipality uses one (optional field `diaryNumber`). */
  diaryNumber?: string;
}

export interface ApprovalForm {
  action: 'approve';
}

export const MESSAGES = {
  unsupportedCharacters: 'Kentässä on merkkejä, joita ei voi tallentaa. Kirjoita teksti uudelleen.',
  tooLong: (max: number) => `Kirjoita enintään ${max} merkkiä.`,
  nameMissing: 'Kirjoita henkilön nimi.',
  nameInvalid: 'Nimessä pitää olla kirjaimia.',
  titleMissing: 'Kirjoita henkilön tehtävänimike.',
  emailMissing: 'Kirjoita henkilön sähköpostiosoite.',
  emailInvalid: 'Sähköpostiosoite ei ole kelvollinen.',
  phoneInvalid: 'Puhelinnumero ei ole kelvollinen. Käytä vain numeroita, välilyöntejä ja merkkejä + - ( ).',
  duplicate: 'Sama henkilö on ehdotettu kahdesti.',
  seatCount: (seats: SeatLimits) =>
    seats.min === seats.max
      ? `Ehdota ${seats.min} henkilöä.`
      : `Ehdota vähintään ${seats.min} ja enintään ${seats.max} henkilöä.`,
  outcomeMissing: 'Valitse, hyväksyttiinkö päätösehdotus sellaisenaan vai muutettuna.',
  meetingDateMissing: 'Kirjoita kokouksen päivämäärä.',
  meetingDateInvalid:
    'Kokouksen päivämäärä ei ole kelvollinen. Kirjoita se muodossa pp.kk.vvvv, esim. 14.11.2023.',
  sectionMissing: 'Kirjoita pykälän numero.',
  sectionInvalid: 'Pykälän numerossa voi olla vain numeroita (enintään 10), esim. 87.',
  decisionTextMissing: 'Kirjoita päätös: miten lautakunta muutti päätösehdotusta.',
  nomineesUnchanged:
    'Henkilöt ovat samat kuin päätösehdotuksessa. Jos ehdotusta ei muutettu, valitse ”Hyväksyttiin päätösehdotus”.',
  actionInvalid: 'Toimintoa ei tunnistettu. Avaa linkki uudelleen ja yritä uudestaan.',
  decisionOutcomeMissing: 'Valitse, miten asiassa päätettiin.',
  commentMissing: 'Kirjoita, mitä ehdotuksessa pitää korjata.',
  nextMeetingDateMissing: 'Kirjoita seuraavan kokouksen päivämäärä.',
  nextMeetingDateBefore: 'Seuraavan kokouksen päivän pitää olla tämän kokouksen jälkeen.',
} as const;

/** What the committee can do with the item. */
export const DECISION_ACTIONS = [
  'adopted',
  'adopted_with_changes',
  'returned',
  'tabled',
  'rejected',
] as const;
export type DecisionActionKind = (typeof DECISION_ACTIONS)[number];

/** The decision text when the committee rejected the proposal, unless the secretary writes one. */
export const REJECTED_TEXT = 'Hylättiin päätösehdotus.';
/** Return comments are a few sentences. */
export const COMMENT_MAX = 2000;

// ---------------------------------------------------------------------------------
// Text cleaning

/**
 * Characters refused in anything typed: C0 controls (tab and line feed are handled by
 * the callers before this check), DEL and C1 controls; the bidirectional overrides and
 * isolates, which can make a name or address read differently from what it is (e.g. in
 * the excerpt e-mail); and lone UTF-16 surrogates, which are not text and break JSON
 * and e-mail encoders.
 */
function isRefusedCodePoint(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

type Cleaned = { ok: true; value: string } | { ok: false; message: string };

function read(fields: Fields, name: string): string {
  // Own properties only: a field named "constructor" must not read Object's.
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  return typeof value === 'string' ? value : '';
}

function refuseUnsupported(value: string): string | undefined {
  // for…of walks code points, so a valid surrogate pair (an emoji) is one code ≥ 0x10000.
  for (const ch of value) {
    if (isRefusedCodePoint(ch.codePointAt(0) ?? 0)) return MESSAGES.unsupportedCharacters;
  }
  return undefined;
}

/**
 * One-line input: tabs and line breaks (pasted from a document) become spaces, runs of
 * white space collapse, and NFC makes "ä" typed two ways compare equal. Zero-width spaces
 * and word joiners a paste leaves behind are removed: invisible, they would make one
 * name two (and slip past the duplicate check). Joiners inside emoji (U+200D) stay.
 */
function cleanLine(raw: string, max: number): Cleaned {
  const value = raw
    .normalize('NFC')
    .replace(/[\u200b\u2060]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const refused = refuseUnsupported(value);
  if (refused) return { ok: false, message: refused };
  if (value.length > max) return { ok: false, message: MESSAGES.tooLong(max) };
  return { ok: true, value };
}

/**
 * Multi-line text: browsers submit CRLF; keep LF and tabs, refuse other controls.
 * Length is counted after the CRLF → LF step so it matches the textarea's maxlength.
 */
function cleanText(raw: string, max: number): Cleaned {
  const value = raw.normalize('NFC').replace(/\r\n?/g, '\n').trim();
  const refused = refuseUnsupported(value.replace(/[\n\t]/g, ' '));
  if (refused) return { ok: false, message: refused };
  if (value.length > max) return { ok: false, message: MESSAGES.tooLong(max) };
  return { ok: true, value };
}

// ---------------------------------------------------------------------------------
// Single values

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const TOP_LEVEL_DOMAIN = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/**
 * A practical check, not full RFC 5322: one @, a dot-atom local part and a domain with
 * a real-looking top-level label. Quoted local parts and IP literals are refused: no
 * municipal address uses them, and they are what typos look like.
 */
export function isEmailAddress(value: string): boolean {
  if (value.length > LIMITS.email) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > LIMITS.emailLocalPart || !EMAIL_LOCAL.test(local)) return false;
  const labels = domain.split('.');
  const tld = labels.at(-1) ?? '';
  return labels.length >= 2 && labels.every((l) => DOMAIN_LABEL.test(l)) && TOP_LEVEL_DOMAIN.test(tld);
}

const PHONE_CHARACTERS = /^[0-9 +\-()]+$/;
/** Fewer digits than this is not a reachable number anywhere. */
const PHONE_MIN_DIGITS = 5;

function isPhoneNumber(value: string): boolean {
  return PHONE_CHARACTERS.test(value) && value.replace(/\D/g, '').length >= PHONE_MIN_DIGITS;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Finnish d.m.yyyy, with or without leading zeros and a trailing dot; spaces are removed first. */
const FINNISH_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$/;

/** A real calendar date as YYYY-MM-DD, or undefined. Accepts ISO and Finnish d.m.yyyy. */
export function parseCalendarDate(raw: string): string | undefined {
  const compact = raw.replace(/\s+/g, '');
  const iso = ISO_DATE.exec(compact);
  const fi = iso ? undefined : FINNISH_DATE.exec(compact);
  const [year, month, day] = iso
    ? [iso[1], iso[2], iso[3]].map(Number)
    : fi
      ? [fi[3], fi[2], fi[1]].map(Number)
      : [];
  if (year === undefined || month === undefined || day === undefined) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 31.2. over to March; a real date survives the round trip.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const SECTION = /^\d+$/;

// ---------------------------------------------------------------------------------
// Nominee rows

const NOMINEE_KEY = /^nominees\.(0|[1-9]\d*)\.(name|title|email|phone)$/;

/** Row indexes that have at least one non-blank nominee field, ascending. */
function filledRowIndexes(fields: Fields): number[] {
  const rows = new Set<number>();
  for (const key of Object.keys(fields)) {
    const match = NOMINEE_KEY.exec(key);
    if (match && read(fields, key).trim() !== '') rows.add(Number(match[1]));
  }
  return [...rows].sort((a, b) => a - b);
}

interface NomineeRow {
  index: number;
  /** Cleaned name and e-mail, '' when missing or invalid: enough to spot a duplicate. */
  name: string;
  email: string;
  /** Set only when the whole row is valid. */
  person?: Person;
}

/** Validates one row, pushing an error per faulty part. */
function parseNomineeRow(fields: Fields, index: number, errors: FieldError[]): NomineeRow {
  const before = errors.length;
  const fail = (part: NomineePart, message: string) => {
    errors.push({ field: nomineeField(index, part), message });
    return '';
  };
  const line = (part: NomineePart, max: number, missing?: string): string => {
    const cleaned = cleanLine(read(fields, nomineeField(index, part)), max);
    if (!cleaned.ok) return fail(part, cleaned.message);
    if (cleaned.value === '' && missing) return fail(part, missing);
    return cleaned.value;
  };
  let name = line('name', LIMITS.name, MESSAGES.nameMissing);
  if (name !== '' && !/\p{L}/u.test(name)) name = fail('name', MESSAGES.nameInvalid);
  const title = line('title', LIMITS.title, MESSAGES.titleMissing);
  let email = line('email', LIMITS.email, MESSAGES.emailMissing);
  if (email !== '' && !isEmailAddress(email)) email = fail('email', MESSAGES.emailInvalid);
  let phone = line('phone', LIMITS.phone);
  if (phone !== '' && !isPhoneNumber(phone)) phone = fail('phone', MESSAGES.phoneInvalid);
  if (errors.length > before) return { index, name, email };
  const person: Person = phone === '' ? { name, title, email } : { name, title, email, phone };
  return { index, name, email, person };
}

const personKey = (value: string) =>
  value.normalize('NFC').replace(/\s+/g, ' ').trim().toLocaleLowerCase('fi');

/**
 * The same person twice: same e-mail (case-insensitive) or same name. Reported on the
 * later row, also when that row has other faults, so the official sees it at once.
 */
function duplicateErrors(rows: readonly NomineeRow[]): FieldError[] {
  const errors: FieldError[] = [];
  const emails = new Set<string>();
  const names = new Set<string>();
  for (const row of rows) {
    const email = personKey(row.email);
    const name = personKey(row.name);
    if (email !== '' && emails.has(email)) {
      errors.push({ field: nomineeField(row.index, 'email'), message: MESSAGES.duplicate });
    } else if (name !== '' && names.has(name)) {
      errors.push({ field: nomineeField(row.index, 'name'), message: MESSAGES.duplicate });
    }
    if (email !== '') emails.add(email);
    if (name !== '') names.add(name);
  }
  return errors;
}

const PART_ORDER: readonly string[] = NOMINEE_PARTS;

function formOrder(field: string): number {
  const match = NOMINEE_KEY.exec(field);
  if (!match) return -1;
  return Number(match[1]) * NOMINEE_PARTS.length + PART_ORDER.indexOf(match[2] ?? '');
}

/**
 * Nominee rows `nominees.N.*`: a blank row is skipped, a partly filled row gets an error
 * on each missing part, rows at index ≥ seats.max count towards "too many".
 */
function parseNominees(fields: Fields, seats: SeatLimits, errors: FieldError[]): Person[] {
  const indexes = filledRowIndexes(fields);
  // A row past seats.max is never rendered; one posted anyway must not be dropped silently.
  const beyondForm = indexes.some((i) => i >= seats.max);
  if (indexes.length < seats.min || indexes.length > seats.max || beyondForm) {
    errors.push({ field: NOMINEES_FIELD, message: MESSAGES.seatCount(seats) });
  }
  const rowErrors: FieldError[] = [];
  const rows = indexes.filter((i) => i < seats.max).map((i) => parseNomineeRow(fields, i, rowErrors));
  rowErrors.push(...duplicateErrors(rows));
  // Form order, so the error summary reads top to bottom like the page.
  errors.push(...rowErrors.sort((a, b) => formOrder(a.field) - formOrder(b.field)));
  return rows.flatMap((r) => (r.person ? [r.person] : []));
}

function throwIfAny(errors: FieldError[]): void {
  if (errors.length > 0) throw new ValidationError(errors);
}

// ---------------------------------------------------------------------------------
// Forms

/** The preparer's proposal: nominee rows and the (optional) päätösehdotus text. */
export function parseProposalForm(fields: Fields, seats: SeatLimits): ProposalForm {
  const errors: FieldError[] = [];
  const nominees = parseNominees(fields, seats, errors);
  const text = cleanText(read(fields, 'text'), LIMITS.text);
  if (!text.ok) errors.push({ field: 'text', message: text.message });
  throwIfAny(errors);
  return { nominees, text: text.ok ? text.value : '' };
}

/** The presenter's approval: the button posts action=approve and nothing else matters. */
export function parseApprovalForm(fields: Fields): ApprovalForm {
  if (read(fields, 'action').trim() !== 'approve') {
    throw new ValidationError([{ field: 'action', message: MESSAGES.actionInvalid }]);
  }
  return { action: 'approve' };
}

function parseOutcome(fields: Fields, errors: FieldError[]): DecisionOutcome | undefined {
  const value = read(fields, 'outcome').trim();
  const outcome = DECISION_OUTCOMES.find((o) => o === value);
  if (!outcome) errors.push({ field: 'outcome', message: MESSAGES.outcomeMissing });
  return outcome;
}

function parseMeetingDate(fields: Fields, errors: FieldError[]): string {
  const raw = read(fields, 'meetingDate').trim();
  const date = parseCalendarDate(raw);
  if (date) return date;
  errors.push({
    field: 'meetingDate',
    message: raw === '' ? MESSAGES.meetingDateMissing : MESSAGES.meetingDateInvalid,
  });
  return '';
}

/** "87", "§ 87" and "87 §" all mean section 87. */
function parseSection(fields: Fields, errors: FieldError[]): string {
  const raw = read(fields, 'section');
  const value = raw.replace(/[§\s]/g, '');
  if (value === '') errors.push({ field: 'section', message: MESSAGES.sectionMissing });
  else if (value.length > LIMITS.section || !SECTION.test(value)) {
    errors.push({ field: 'section', message: MESSAGES.sectionInvalid });
  } else return value;
  return '';
}

function parseDecisionText(
  fields: Fields,
  outcome: DecisionOutcome | undefined,
  errors: FieldError[],
): string {
  const text = cleanText(read(fields, 'text'), LIMITS.text);
  if (!text.ok) {
    errors.push({ field: 'text', message: text.message });
    return '';
  }
  if (outcome === 'adopted') return text.value === '' ? ADOPTED_TEXT : text.value;
  // The page prefills ADOPTED_TEXT; left as is with changes, the excerpt would contradict itself.
  if (outcome === 'adopted_with_changes' && (text.value === '' || text.value === ADOPTED_TEXT)) {
    errors.push({ field: 'text', message: MESSAGES.decisionTextMissing });
  }
  return text.value;
}

const listKey = (people: readonly Person[]) =>
  people
    .map((p) => [p.name, p.title, p.email, p.phone ?? ''].map(personKey).join('\u0000'))
    .sort()
    .join('\u0001');

/**
 * The committee secretary's record of the decision. With 'adopted' the nominees are the
 * proposal's (rows in the form are ignored); with 'adopted_with_changes' they are the
 * committee's own list from the rows, which must differ from the proposal's.
 */
export function parseDecisionForm(fields: Fields, seats: SeatLimits, proposal: Proposal): DecisionForm {
  const errors: FieldError[] = [];
  const outcome = parseOutcome(fields, errors);
  const meetingDate = parseMeetingDate(fields, errors);
  const section = parseSection(fields, errors);
  const text = parseDecisionText(fields, outcome, errors);
  // Copies: the caller stores the decision next to the proposal it was read from.
  let nominees = proposal.nominees.map((p) => ({ ...p }));
  if (outcome === 'adopted_with_changes') {
    const before = errors.length;
    nominees = parseNominees(fields, seats, errors);
    if (errors.length === before && listKey(nominees) === listKey(proposal.nominees)) {
      errors.push({ field: NOMINEES_FIELD, message: MESSAGES.nomineesUnchanged });
    }
  }
  const diary = cleanText(read(fields, 'diaryNumber').replace(/\s+/g, ' '), LIMITS.diaryNumber);
  if (!diary.ok) errors.push({ field: 'diaryNumber', message: diary.message });
  // parseOutcome has pushed an error whenever outcome is undefined.
  if (errors.length > 0 || !outcome) throw new ValidationError(errors);
  const diaryNumber = diary.ok && diary.value !== '' ? { diaryNumber: diary.value } : {};
  return { outcome, meetingDate, section, text, nominees, ...diaryNumber };
}

// ---------------------------------------------------------------------------------
// Outcomes that do not adopt: return, table, reject

/** The presenter sends the proposal back to the preparer with a comment. */
export function parseReturnForm(fields: Fields): { comment: string } {
  const comment = cleanText(read(fields, 'comment'), COMMENT_MAX);
  if (!comment.ok) throw new ValidationError([{ field: 'comment', message: comment.message }]);
  if (comment.value === '')
    throw new ValidationError([{ field: 'comment', message: MESSAGES.commentMissing }]);
  return { comment: comment.value };
}

export type DecisionAction =
  | { kind: 'adopted' | 'adopted_with_changes'; form: DecisionForm }
  | { kind: 'returned'; meetingDate: string; section: string; comment: string }
  | { kind: 'tabled'; meetingDate: string; section: string; nextMeetingDate: string }
  | { kind: 'rejected'; meetingDate: string; section: string; text: string };

/**
 * The committee secretary's record of what the committee did: adopted (as proposed or
 * with changes, see parseDecisionForm), returned for preparation (with a comment), tabled
 * to a later meeting, or rejected.
 */
export function parseDecisionAction(fields: Fields, seats: SeatLimits, proposal: Proposal): DecisionAction {
  const kind = DECISION_ACTIONS.find((o) => o === read(fields, 'outcome').trim());
  if (kind === 'adopted' || kind === 'adopted_with_changes') {
    return { kind, form: parseDecisionForm(fields, seats, proposal) };
  }
  const errors: FieldError[] = [];
  if (!kind) errors.push({ field: 'outcome', message: MESSAGES.decisionOutcomeMissing });
  const meetingDate = parseMeetingDate(fields, errors);
  const section = parseSection(fields, errors);
  const text = cleanText(read(fields, kind === 'returned' ? 'comment' : 'text'), LIMITS.text);
  if (!text.ok) errors.push({ field: kind === 'returned' ? 'comment' : 'text', message: text.message });
  if (kind === 'returned' && text.ok && text.value === '') {
    errors.push({ field: 'comment', message: MESSAGES.commentMissing });
  }
  let nextMeetingDate = '';
  if (kind === 'tabled') {
    const raw = read(fields, 'nextMeetingDate').trim();
    nextMeetingDate = parseCalendarDate(raw) ?? '';
    if (nextMeetingDate === '') {
      errors.push({
        field: 'nextMeetingDate',
        message: raw === '' ? MESSAGES.nextMeetingDateMissing : MESSAGES.meetingDateInvalid,
      });
    } else if (meetingDate !== '' && nextMeetingDate <= meetingDate) {
      errors.push({ field: 'nextMeetingDate', message: MESSAGES.nextMeetingDateBefore });
    }
  }
  if (errors.length > 0 || !kind) throw new ValidationError(errors);
  const value = text.ok ? text.value : '';
  if (kind === 'returned') return { kind, meetingDate, section, comment: value };
  if (kind === 'tabled') return { kind, meetingDate, section, nextMeetingDate };
  return { kind, meetingDate, section, text: value === '' || value === ADOPTED_TEXT ? REJECTED_TEXT : value };
}
