/**
 * Search across rounds: what a nomination can be found by, and how text is compared.
 * Pure: the DynamoDB index items are built from these terms in adapters/dynamo-search.ts.
 *
 * - Normalisation: NFC, lower case (Finnish rules), ä/ö/å kept as letters of their own
 *   ("Mänttä" is found by "MÄNTTÄ" and "mänttä", not by "mantta"), "§ 87" written "§87",
 *   anything but letters, digits and the characters of addresses and diary numbers
 *   becomes a space, runs of spaces one.
 * - A nomination is indexed under each value's full text and under every word start
 *   within it ("Anna-Liisa Virtanen" under "anna-liisa virtanen", "liisa virtanen",
 *   "virtanen"), so a prefix of any word finds it. E-mail addresses under the whole
 *   address and the domain (not under ".fi": that would find everyone).
 * - A query of several words finds the nominations that contain every word.
 */
import type { Municipality, Nomination, Person } from './types.ts';

/** What a term was taken from; shown beside a result ("Henkilö", "Sähköposti", …). */
export type SearchField = 'municipality' | 'person' | 'email' | 'section' | 'diary';

export interface SearchTerm {
  /** Normalised; at least MIN_TERM_LENGTH code points, at most MAX_TERM_LENGTH. */
  term: string;
  field: SearchField;
}

/** A query word shorter than this is too broad to look up (a whole alphabet's partition). */
export const MIN_TERM_LENGTH = 2;
/** Longer values are cut: a sort key stays small and nobody types more. */
export const MAX_TERM_LENGTH = 80;
/** Word starts indexed per value: a long diary number or name does not fan out without end. */
const MAX_WORD_STARTS = 5;

/** Case-, form- and space-insensitive text, the same for what is stored and what is asked. */
export function normalizeSearchText(text: string): string {
  return text
    .normalize('NFC')
    .toLocaleLowerCase('fi')
    .replace(/[^\p{L}\p{N}@.\-_/+§:]+/gu, ' ')
    .replace(/§\s*/g, '§')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The words of a query, normalised; empty when there is nothing to look for. */
export function queryWords(query: string): string[] {
  return normalizeSearchText(query).split(' ').filter(Boolean);
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

/** The first two code points: the index partition a term (and a query word) lives in. */
export function termPartition(term: string): string {
  return codePoints(term).slice(0, MIN_TERM_LENGTH).join('');
}

function cut(term: string): string {
  const points = codePoints(term);
  return points.length > MAX_TERM_LENGTH ? points.slice(0, MAX_TERM_LENGTH).join('').trim() : term;
}

/** The full value and each word start after a space, hyphen or slash. */
function wordStarts(value: string): string[] {
  const text = normalizeSearchText(value);
  if (!text) return [];
  const starts = [text];
  const boundary = /[ \-/]/g;
  for (let match = boundary.exec(text); match; match = boundary.exec(text)) {
    const rest = text.slice(match.index + 1).replace(/^[ \-/]+/, '');
    if (rest) starts.push(rest);
    if (starts.length > MAX_WORD_STARTS) break;
  }
  return starts;
}

function emailTerms(email: string): string[] {
  const text = normalizeSearchText(email).replace(/ /g, '');
  if (!text) return [];
  const at = text.lastIndexOf('@');
  return at > 0 && at < text.length - 1 ? [text, text.slice(at + 1)] : [text];
}

class Terms {
  private readonly seen = new Map<string, SearchTerm>();

  add(field: SearchField, values: string[]): this {
    for (const raw of values) {
      const term = cut(raw);
      if (codePoints(term).length < MIN_TERM_LENGTH || this.seen.has(term)) continue;
      this.seen.set(term, { term, field });
    }
    return this;
  }

  person(person: Pick<Person, 'name' | 'email'> | undefined): this {
    if (!person) return this;
    return this.add('person', wordStarts(person.name)).add('email', emailTerms(person.email));
  }

  list(): SearchTerm[] {
    return [...this.seen.values()];
  }
}

/**
 * What a municipality's nomination is found by from the round definition: the
 * municipality, its officials and its addresses. Written once, when the round is stored.
 */
export function municipalityTerms(municipality: Municipality): SearchTerm[] {
  const terms = new Terms()
    .add('municipality', [...wordStarts(municipality.name), normalizeSearchText(municipality.id)])
    .person(municipality.preparer)
    .person(municipality.presenter)
    .add('email', emailTerms(municipality.registryEmail))
    .add('email', emailTerms(municipality.boardEmail))
    .add('email', emailTerms(municipality.body.secretaryEmail));
  if (municipality.body.secretaryName) terms.add('person', wordStarts(municipality.body.secretaryName));
  for (const checker of municipality.minuteCheckers ?? []) terms.person(checker);
  return terms.list();
}

/**
 * What a nomination is found by from what was recorded on it: the proposed and decided
 * people and members, the decision's section (as "§87" and "87") and diary number,
 * corrected decisions' too. Empty before anything is recorded.
 */
export function nominationTerms(nomination: Nomination): SearchTerm[] {
  const terms = new Terms();
  const decisions = [
    ...(nomination.previousDecisions ?? []),
    ...(nomination.decision ? [nomination.decision] : []),
  ];
  const people = [
    ...(nomination.proposal?.nominees ?? []),
    ...decisions.flatMap((d) => d.nominees),
    ...(nomination.members ?? []),
  ];
  for (const person of people) terms.person(person);
  const sections = [
    ...decisions.map((d) => d.section),
    ...(nomination.rejection ? [nomination.rejection.section] : []),
  ];
  for (const section of sections) {
    const number = normalizeSearchText(section).replace(/^§/, '');
    terms.add('section', [`§${number}`, number]);
  }
  for (const d of decisions) if (d.diaryNumber) terms.add('diary', wordStarts(d.diaryNumber));
  return terms.list();
}

/** The word of a query to look up in the index: the longest (the most selective). */
export function lookupWord(words: string[]): string | undefined {
  return [...words].sort((a, b) => codePoints(b).length - codePoints(a).length)[0];
}

/** Whether normalised text contains every query word (the final check of an index hit). */
export function containsAll(haystack: string, words: string[]): boolean {
  return words.every((w) => haystack.includes(w));
}
