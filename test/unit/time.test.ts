/**
 * Helsinki time by the EU summer-time rule (functions/domain/time.ts) against ICU's zone
 * data, the source it replaces: every hour around each clock change and a sample of every
 * other day, 1996–2040. If Finland's clocks ever stop following the EU rule, the zone data
 * of a newer Node says so first, and this test fails.
 */
import { describe, expect, it } from 'vitest';
import { formatDateTimeFi } from '../../functions/domain/finnish.ts';
import {
  endOfDeadlineDay,
  helsinkiDate,
  helsinkiInstant,
  helsinkiOffsetMinutes,
} from '../../functions/domain/time.ts';

const HOUR = 3_600_000;
const icuOffset = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Helsinki',
  timeZoneName: 'longOffset',
});
const icuDate = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' });
const icuDateTime = new Intl.DateTimeFormat('fi-FI', {
  timeZone: 'Europe/Helsinki',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h23',
});

function icuOffsetMinutes(at: Date): number {
  const zone = icuOffset.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(zone);
  if (!match) return 0; // "GMT" alone: UTC
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

function icuDateTimeFi(at: Date): string {
  const parts = icuDateTime.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  return `${part('day')}.${part('month')}.${part('year')} klo ${Number(part('hour'))}.${part('minute')}`;
}

/** The wall-clock → instant search as it was done with ICU before the rule. */
function icuInstant(date: string, time: string): number {
  const asUtc = new Date(`${date}T${time}Z`);
  const guess = asUtc.getTime() - icuOffsetMinutes(asUtc) * 60_000;
  return asUtc.getTime() - icuOffsetMinutes(new Date(guess)) * 60_000;
}

/** Every hour of the two days around each March and October clock change, 1996–2040. */
function hoursAroundClockChanges(): Date[] {
  const hours: Date[] = [];
  for (let year = 1996; year <= 2040; year++) {
    for (const month of [2, 9]) {
      for (let day = 24; day <= 31; day++) {
        const midnight = Date.UTC(year, month, day);
        for (let h = 0; h < 24; h++) hours.push(new Date(midnight + h * HOUR));
      }
    }
  }
  return hours;
}

describe('Helsinki time by the EU rule', () => {
  it('has the offset ICU has at every hour around every clock change, 1996-2040', () => {
    const hours = hoursAroundClockChanges();
    const differing = hours.filter((at) => helsinkiOffsetMinutes(at) !== icuOffsetMinutes(at));
    expect(hours.length).toBe(45 * 2 * 8 * 24);
    expect(differing.map((at) => at.toISOString())).toEqual([]);
  });

  it('writes the date and the time ICU writes, on every third day at a changing hour', () => {
    let checked = 0;
    for (let t = Date.UTC(1996, 0, 1, 0, 7); t < Date.UTC(2041, 0, 1); t += 3 * 24 * HOUR + 37 * 60_000) {
      const at = new Date(t);
      expect(helsinkiDate(at)).toBe(icuDate.format(at));
      expect(formatDateTimeFi(at.toISOString())).toBe(icuDateTimeFi(at));
      checked++;
    }
    expect(checked).toBeGreaterThan(5000);
  });

  it('finds the instant of every wall-clock hour around the clock changes as ICU did', () => {
    for (const year of [1996, 2023, 2024, 2037]) {
      for (const month of ['03', '10']) {
        for (let day = 25; day <= 31; day++) {
          for (let h = 0; h < 24; h++) {
            for (const minutes of ['00', '30', '59']) {
              const time = `${String(h).padStart(2, '0')}:${minutes}:00`;
              const date = `${year}-${month}-${day}`;
              expect(helsinkiInstant(date, time).getTime(), `${date} ${time}`).toBe(icuInstant(date, time));
            }
          }
        }
      }
    }
  });

  it('asks ICU before 1996, when Finland changed clocks in September', () => {
    // 1995: summer time ended on the last Sunday of September, not of October.
    const october1995 = new Date('1995-10-10T12:00:00Z');
    expect(helsinkiOffsetMinutes(october1995)).toBe(120);
    expect(helsinkiOffsetMinutes(october1995)).toBe(icuOffsetMinutes(october1995));
    expect(helsinkiDate(new Date('1980-06-30T22:30:00Z'))).toBe('1980-07-01');
  });

  it('ends a deadline day at 23:59:59 Helsinki time, summer and winter', () => {
    expect(endOfDeadlineDay('2024-06-14').toISOString()).toBe('2024-06-14T20:59:59.000Z');
    expect(endOfDeadlineDay('2024-12-14').toISOString()).toBe('2024-12-14T21:59:59.000Z');
  });

  it('refuses what is no date', () => {
    expect(() => helsinkiDate(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => helsinkiInstant('2024-13-01')).toThrow(RangeError);
  });
});
