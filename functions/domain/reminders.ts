/**
 * When an official is reminded: on given days before the answer deadline (default 7 and
 * 2), at 08:00 Helsinki time, only while the nomination waits on them, and only for a
 * link that was mailed before the reminder's time (a link that just arrived needs none).
 */
import { helsinkiDate, helsinkiInstant } from './time.ts';

export const DEFAULT_REMINDER_DAYS: readonly number[] = [7, 2];
/** Reminders go out at the start of a working day. */
const REMINDER_TIME = '08:00:00';

export interface Reminder {
  daysBefore: number;
  at: Date;
}

function minusDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/** The reminders of a deadline, earliest first. */
export function reminderSchedule(
  deadline: Date,
  days: readonly number[] = DEFAULT_REMINDER_DAYS,
): Reminder[] {
  const deadlineDate = helsinkiDate(deadline);
  return [...new Set(days)]
    .filter((d) => Number.isInteger(d) && d > 0)
    .map((daysBefore) => ({
      daysBefore,
      at: helsinkiInstant(minusDays(deadlineDate, daysBefore), REMINDER_TIME),
    }))
    .filter((r) => r.at.getTime() < deadline.getTime())
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

export interface WaitPlan {
  /** The deadline has passed: the nomination ends as no answer. */
  expired: boolean;
  /** The reminder to send now, if any (the latest one due). */
  due?: Reminder;
  /** When the wait should next wake up: the next reminder or the deadline. */
  wakeAt: Date;
}

/**
 * Plans one wait of a step.
 * @param linkSentAt when the link now in the official's hands was mailed (undefined: none yet)
 */
export function planWait(input: {
  now: Date;
  deadline: Date;
  reminderDays?: readonly number[];
  linkSentAt?: Date;
}): WaitPlan {
  const { now, deadline } = input;
  if (now.getTime() >= deadline.getTime()) return { expired: true, wakeAt: deadline };
  const schedule = reminderSchedule(deadline, input.reminderDays ?? DEFAULT_REMINDER_DAYS);
  const sentAt = input.linkSentAt?.getTime();
  const due =
    sentAt === undefined
      ? undefined
      : schedule.filter((r) => r.at.getTime() <= now.getTime() && r.at.getTime() > sentAt).at(-1);
  const next = schedule.find((r) => r.at.getTime() > now.getTime());
  return { expired: false, due, wakeAt: next?.at ?? deadline };
}
