/**
 * Calendar dates of a round are Finnish dates. A deadline ends at the end of its day
 * in Helsinki, a start date begins at midnight in Helsinki, whatever the server's zone.
 *
 * Helsinki's offset comes from the EU summer-time rule, not from ICU: the first
 * Intl.DateTimeFormat with a time zone costs a process about 20 ms (ICU loads its zone and
 * locale data), which was a fifth of every Lambda function's cold import. Finland has kept
 * the EU rule since 1996; test/unit/time.test.ts checks it against ICU's zone data hour by
 * hour up to 2040, and fails the day the data says otherwise. Earlier instants ask ICU.
 */
export const FINNISH_TIME_ZONE = 'Europe/Helsinki';

const WINTER_OFFSET_MINUTES = 120; // EET, UTC+2
const SUMMER_OFFSET_MINUTES = 180; // EEST, UTC+3
/** The first year Finland's clocks changed on the EU's dates (Directive 2000/84/EC and its predecessors). */
const EU_RULE_SINCE_YEAR = 1996;
const MARCH = 2;
const OCTOBER = 9;

/** 01:00 UTC on the last Sunday of a month: when EU clocks change. */
function lastSundayAtOneUtc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

let icuOffsetFormat: Intl.DateTimeFormat | undefined;

/** Before the EU rule: ICU's zone data (made only if such an instant ever comes). */
function icuOffsetMinutes(at: Date): number {
  icuOffsetFormat ??= new Intl.DateTimeFormat('en-US', {
    timeZone: FINNISH_TIME_ZONE,
    timeZoneName: 'longOffset',
  });
  const zone = icuOffsetFormat.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(zone ?? '');
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/** Minutes east of UTC in Helsinki at the given instant (120 or 180). */
export function helsinkiOffsetMinutes(at: Date): number {
  const year = at.getUTCFullYear();
  if (year < EU_RULE_SINCE_YEAR) return icuOffsetMinutes(at);
  const t = at.getTime();
  const summer = t >= lastSundayAtOneUtc(year, MARCH) && t < lastSundayAtOneUtc(year, OCTOBER);
  return summer ? SUMMER_OFFSET_MINUTES : WINTER_OFFSET_MINUTES;
}

/**
 * The Helsinki wall clock at an instant, as a Date whose UTC fields (getUTCDate,
 * getUTCHours …) read that wall clock. Throws RangeError for an invalid date.
 */
export function helsinkiWallClock(at: Date): Date {
  if (Number.isNaN(at.getTime())) throw new RangeError('Invalid time value');
  return new Date(at.getTime() + helsinkiOffsetMinutes(at) * 60_000);
}

/** The instant a Helsinki wall-clock time occurs. */
export function helsinkiInstant(date: string, time = '00:00:00'): Date {
  const asUtc = new Date(`${date}T${time}Z`);
  if (Number.isNaN(asUtc.getTime())) throw new RangeError(`Not a date and time: ${date} ${time}`);
  // The offset at the guessed instant can differ from the real one only within the DST
  // switch hour; a second pass settles it.
  const guess = new Date(asUtc.getTime() - helsinkiOffsetMinutes(asUtc) * 60_000);
  return new Date(asUtc.getTime() - helsinkiOffsetMinutes(guess) * 60_000);
}

/** The last moment of a deadline day (23:59:59 Helsinki time). */
export function endOfDeadlineDay(date: string): Date {
  return helsinkiInstant(date, '23:59:59');
}

/** Today's date in Helsinki, YYYY-MM-DD. */
export function helsinkiDate(at: Date): string {
  return helsinkiWallClock(at).toISOString().slice(0, 10);
}

/** Whole seconds from `now` until `until`, at least 1 (Step Functions rejects 0). */
export function secondsUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}
