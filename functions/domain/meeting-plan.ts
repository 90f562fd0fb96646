/**
 * The first year of a partnership group: when it meets and what it discusses. Pure.
 *
 * In the minute the groups meet about four times a year: once a year the county and its
 * municipalities hold the statutory negotiation on health and wellbeing promotion
 * (612/2021 § 7: the hyvinvointikertomus and -suunnitelma), and 2–3 other meetings follow.
 *
 * Rules:
 * - `meetingsPerYear` meetings (1–12) spread evenly over the year from the start date: meeting
 *   i is aimed at the middle of the i-th of n equal parts of the year.
 * - A meeting aimed at July (the Finnish summer holiday month) moves to August, or to June if
 *   August already has one (within the plan's year); with 12 meetings a year July keeps its own.
 * - Each lands on the next Tuesday, Wednesday or Thursday that is a working day (no weekend,
 *   no public holiday or eve of the Finnish calendar shared with the excerpt's deadlines).
 * - One meeting is the yearly negotiation: the second (the group has met once before), or the
 *   only one. Every meeting has the minute's themes as its default agenda.
 */
import { addDays, isWorkingDay, weekday } from './calendar.ts';

export class MeetingPlanError extends Error {
  override readonly name = 'MeetingPlanError';
}

export type MeetingKind = 'negotiation' | 'meeting';

export interface PlannedMeeting {
  /** 1-based, in date order. */
  number: number;
  kind: MeetingKind;
  /** YYYY-MM-DD, a working day. */
  date: string;
  /** Helsinki wall-clock times, HH:MM. */
  startTime: string;
  endTime: string;
  title: string;
  agenda: string[];
}

export interface MeetingPlan {
  /** The plan's year: from the start date up to (not including) the same day a year later. */
  from: string;
  until: string;
  meetings: PlannedMeeting[];
}

/** The themes the minute lists for the meetings, in its order. */
export const MEETING_THEMES: readonly string[] = [
  'Elintavat',
  'Mielen hyvinvointi',
  'Ehkäisevä päihdetyö',
  'Arjen toimintakyky',
  'Turvallisuus',
  'Osallisuus',
];

export const NEGOTIATION_ITEM =
  'Hyvinvointikertomus ja -suunnitelma: tavoitteet, toimenpiteet, yhteistyö ja seuranta (612/2021 7 §)';
const INFORMATION_ITEM = 'Ajankohtaiset asiat ja tiedonkulku';

const TIMES: Record<MeetingKind, { startTime: string; endTime: string }> = {
  // The negotiation takes a morning; the other meetings an afternoon.
  negotiation: { startTime: '09:00', endTime: '12:00' },
  meeting: { startTime: '13:00', endTime: '15:00' },
};

const JULY = '07';
const MIDWEEK = new Set([2, 3, 4]); // Tuesday, Wednesday, Thursday

/** The same day a year later (29 February → 28 February). */
function nextYear(date: string): string {
  const year = Number(date.slice(0, 4)) + 1;
  const monthDay = date.slice(5) === '02-29' ? '02-28' : date.slice(5);
  return `${year}-${monthDay}`;
}

function daysBetween(from: string, until: string): number {
  return Math.round((Date.parse(`${until}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function month(date: string): string {
  return date.slice(5, 7);
}

/** `date` or the next Tuesday–Thursday that is a Finnish working day. */
export function nextMeetingDay(date: string): string {
  let day = date;
  while (!(isWorkingDay(day) && MIDWEEK.has(weekday(day)))) day = addDays(day, 1);
  return day;
}

/**
 * A meeting day in July moves out of the holiday month: to mid-August if August has no meeting
 * yet, else to mid-June, as long as the day stays inside the plan's year; otherwise it stays.
 */
function outOfJuly(day: string, others: string[], from: string, until: string): string {
  const year = day.slice(0, 4);
  const august = nextMeetingDay(`${year}-08-10`);
  const june = nextMeetingDay(`${year}-06-10`);
  if (!others.some((d) => d.startsWith(`${year}-08`)) && august < until) return august;
  if (june >= from) return june;
  return day;
}

/**
 * The group's first-year plan.
 * @throws MeetingPlanError if the meeting count is not a whole number of 1–12 or the date is not a date.
 */
export function meetingPlan(startDate: string, meetingsPerYear = 4): MeetingPlan {
  if (!Number.isInteger(meetingsPerYear) || meetingsPerYear < 1 || meetingsPerYear > 12) {
    throw new MeetingPlanError(
      `meetingsPerYear: Kokouksia voi olla vuodessa 1–12, nyt ${String(meetingsPerYear)}`,
    );
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(startDate) || Number.isNaN(Date.parse(`${startDate}T00:00:00Z`))) {
    throw new MeetingPlanError(`startDate: Päivämäärän muoto on VVVV-KK-PP, nyt ${startDate}`);
  }
  const until = nextYear(startDate);
  const yearDays = daysBetween(startDate, until);
  const n = meetingsPerYear;
  const targets = Array.from({ length: n }, (_, i) =>
    addDays(startDate, Math.round(((i + 0.5) * yearDays) / n)),
  );
  const placed = targets
    .map(nextMeetingDay)
    .map((day, _, all) => (n < 12 && month(day) === JULY ? outOfJuly(day, all, startDate, until) : day));
  const dates: string[] = [];
  for (const target of placed.toSorted()) {
    const previous = dates.at(-1);
    // Two targets on one week's days would share a date: the later one takes the next free day.
    dates.push(nextMeetingDay(previous !== undefined && target <= previous ? addDays(previous, 1) : target));
  }
  const negotiationIndex = Math.min(1, n - 1);

  return {
    from: startDate,
    until,
    meetings: dates.map((date, i) => {
      const kind: MeetingKind = i === negotiationIndex ? 'negotiation' : 'meeting';
      return {
        number: i + 1,
        kind,
        date,
        ...TIMES[kind],
        title: kind === 'negotiation' ? 'Vuotuinen hyvinvointineuvottelu' : `Kumppanuusryhmän tapaaminen`,
        agenda:
          kind === 'negotiation'
            ? [NEGOTIATION_ITEM, ...MEETING_THEMES]
            : [INFORMATION_ITEM, ...MEETING_THEMES],
      };
    }),
  };
}
