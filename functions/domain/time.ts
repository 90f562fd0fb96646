/**
 * Calendar dates of a round are Finnish dates. A deadline ends at the end of its day
 * in Helsinki, a start date begins at midnight in Helsinki, whatever the server's zone.
 */
export const FINNISH_TIME_ZONE = 'Europe/Helsinki';

const offsetFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: FINNISH_TIME_ZONE,
  timeZoneName: 'longOffset',
});

/** Minutes east of UTC in Helsinki at the given instant (120 or 180). */
function helsinkiOffsetMinutes(at: Date): number {
  const zone = offsetFormat.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(zone);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/** Instants already worked out, by wall-clock time (deadlines are asked for on every link page). */
const instants = new Map<string, number>();

/** The instant a Helsinki wall-clock time occurs. */
export function helsinkiInstant(date: string, time = '00:00:00'): Date {
  const key = `${date}T${time}`;
  const known = instants.get(key);
  if (known !== undefined) return new Date(known);
  const asUtc = new Date(`${key}Z`);
  // The offset at the guessed instant can differ from the real one only within the DST
  // switch hour; a second pass settles it.
  let instant = new Date(asUtc.getTime() - helsinkiOffsetMinutes(asUtc) * 60_000);
  instant = new Date(asUtc.getTime() - helsinkiOffsetMinutes(instant) * 60_000);
  if (instants.size >= 10_000) instants.clear();
  instants.set(key, instant.getTime());
  return instant;
}

/** The last moment of a deadline day (23:59:59 Helsinki time). */
export function endOfDeadlineDay(date: string): Date {
  return helsinkiInstant(date, '23:59:59');
}

// Made once: building an Intl.DateTimeFormat costs far more than formatting with one.
const dateFormat = new Intl.DateTimeFormat('sv-SE', { timeZone: FINNISH_TIME_ZONE });

/** Today's date in Helsinki, YYYY-MM-DD. */
export function helsinkiDate(at: Date): string {
  return dateFormat.format(at);
}

/** Whole seconds from `now` until `until`, at least 1 (Step Functions rejects 0). */
export function secondsUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}
