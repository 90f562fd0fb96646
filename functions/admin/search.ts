/**
 * The console's search across every round: by municipality, person, e-mail, section or
 * diary number, with a filter by state. Reads only the index (adapters/dynamo-search.ts).
 */
import type { NominationSearch } from '../domain/admin-ports.ts';
import { ValidationError } from '../domain/errors.ts';
import type { Clock, StoredRound } from '../domain/ports.ts';
import { lookupWord, MIN_TERM_LENGTH, queryWords } from '../domain/search.ts';
import type { Nomination, NominationStatus } from '../domain/types.ts';
import { buildRows, matchedField, matches, type NominationRow, STATUS_FILTERS } from './view-model.ts';

/** Results shown at most; a broader query is asked to be narrowed. */
export const SEARCH_RESULTS = 50;
/** Index hits read at most for one query (each is checked against its nomination). */
const CANDIDATES = 300;
/** Longer queries are cut: nobody types more, and nothing longer is indexed. */
export const MAX_QUERY_LENGTH = 200;

export interface SearchHit {
  stored: StoredRound;
  row: NominationRow;
  /** What the query found, e.g. "Ehdotettu: Sami Kuikka"; absent for a state-only search. */
  matched?: string;
}

export interface SearchOutcome {
  query: string;
  status: NominationStatus | '';
  /** False when there was nothing to search for (the page just shows the form). */
  searched: boolean;
  hits: SearchHit[];
  /** More nominations matched than are shown. */
  more: boolean;
}

/**
 * Searches across rounds.
 * 1. Normalise the query into words; refuse words too short to look up (ValidationError, field q).
 * 2. With words: look up the longest word's prefix in the index, read those nominations
 *    (BatchGet), keep those in the chosen state. Without words, only a state: Query the
 *    state index, newest change first.
 * 3. Read their rounds (BatchGet) and keep the nominations that contain every word now
 *    (a replaced proposal's people left in the index are dropped here).
 * 4. Newest round first, then by municipality; at most SEARCH_RESULTS.
 */
export async function searchNominations(
  input: { query?: string; status?: string },
  deps: { search: NominationSearch; clock: Clock },
): Promise<SearchOutcome> {
  const query = (input.query ?? '').slice(0, MAX_QUERY_LENGTH);
  const status = STATUS_FILTERS.find((s) => s === input.status) ?? '';
  const words = queryWords(query);
  const outcome: SearchOutcome = { query, status, searched: false, hits: [], more: false };
  if (words.length === 0 && status === '') return outcome;

  let nominations: Nomination[];
  let more: boolean;
  if (words.length > 0) {
    const word = lookupWord(words) ?? '';
    if (Array.from(word).length < MIN_TERM_LENGTH) {
      throw new ValidationError([
        { field: 'q', message: `Kirjoita hakusanaan vähintään ${MIN_TERM_LENGTH} merkkiä.` },
      ]);
    }
    const found = await deps.search.keysByPrefix(word, CANDIDATES);
    nominations = (await deps.search.getNominations(found.keys)).filter(
      (n) => !status || n.status === status,
    );
    more = found.more;
  } else {
    const found = await deps.search.byStatus(status as NominationStatus, SEARCH_RESULTS);
    nominations = found.nominations;
    more = found.more;
  }

  const rounds = await deps.search.getRounds(nominations.map((n) => n.roundId));
  const now = deps.clock.now();
  const hits: SearchHit[] = [];
  for (const stored of rounds) {
    const own = nominations.filter((n) => n.roundId === stored.round.id);
    for (const row of buildRows(stored.round, own, [], now)) {
      if (!matches(row, query)) continue;
      hits.push({ stored, row, matched: words.length > 0 ? matchedField(row, query) : undefined });
    }
  }
  hits.sort(
    (a, b) =>
      b.stored.createdAt.localeCompare(a.stored.createdAt) ||
      a.row.municipality.name.localeCompare(b.row.municipality.name, 'fi'),
  );
  return {
    ...outcome,
    searched: true,
    hits: hits.slice(0, SEARCH_RESULTS),
    more: more || hits.length > SEARCH_RESULTS,
  };
}
