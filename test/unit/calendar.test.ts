import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  easterSunday,
  finnishHolidays,
  holidayName,
  isWorkingDay,
  nextWorkingDay,
  weekday,
} from '../../functions/domain/calendar.ts';

describe('the Finnish calendar', () => {
  it('finds Easter on the known dates', () => {
    expect([2019, 2023, 2024, 2025, 2026, 2027, 2038].map(easterSunday)).toEqual([
      '2019-04-21',
      '2023-04-09',
      '2024-03-31',
      '2025-04-20',
      '2026-04-05',
      '2027-03-28',
      '2038-04-25',
    ]);
  });

  it('lists the 2024 holidays as the Finnish calendar has them', () => {
    expect(finnishHolidays(2024)).toEqual([
      { date: '2024-01-01', name: 'uudenvuodenpäivä' },
      { date: '2024-01-06', name: 'loppiainen' },
      { date: '2024-03-29', name: 'pitkäperjantai' },
      { date: '2024-03-31', name: 'pääsiäispäivä' },
      { date: '2024-04-01', name: '2. pääsiäispäivä' },
      { date: '2024-05-01', name: 'vappu' },
      { date: '2024-05-09', name: 'helatorstai' },
      { date: '2024-05-19', name: 'helluntaipäivä' },
      { date: '2024-06-21', name: 'juhannusaatto' },
      { date: '2024-06-22', name: 'juhannuspäivä' },
      { date: '2024-11-02', name: 'pyhäinpäivä' },
      { date: '2024-12-06', name: 'itsenäisyyspäivä' },
      { date: '2024-12-24', name: 'jouluaatto' },
      { date: '2024-12-25', name: 'joulupäivä' },
      { date: '2024-12-26', name: 'tapaninpäivä' },
    ]);
  });

  it('moves a deadline over Christmas and New Year to the next working day, across the year end', () => {
    // 2023-12-24 Sun → 25, 26 holidays → 27 Wed
    expect(nextWorkingDay('2023-12-24')).toBe('2023-12-27');
    // 2022-12-31 Sat → 2023-01-01 Sun (also New Year) → 2 Jan Mon
    expect(nextWorkingDay('2022-12-31')).toBe('2023-01-02');
    // 2025-01-04 Sat → 5 Sun → 6 Mon loppiainen → 7 Tue
    expect(nextWorkingDay('2025-01-04')).toBe('2025-01-07');
  });

  it('moves over Easter, Midsummer and All Saints', () => {
    expect(nextWorkingDay('2024-03-29')).toBe('2024-04-02'); // Good Friday → Tuesday after Easter Monday
    expect(nextWorkingDay('2025-06-20')).toBe('2025-06-23'); // Midsummer Eve
    expect(nextWorkingDay('2024-11-02')).toBe('2024-11-04'); // All Saints' Day (Sat)
    expect(holidayName('2026-05-14')).toBe('helatorstai');
    expect(nextWorkingDay('2024-11-05')).toBe('2024-11-05'); // an ordinary Tuesday stays
  });

  it('never lands on a weekend or holiday, and never jumps more than 5 days (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 80 }), (offset) => {
        const date = addDays('1990-01-01', offset);
        const next = nextWorkingDay(date);
        const gap = (Date.parse(next) - Date.parse(date)) / 86_400_000;
        return isWorkingDay(next) && next >= date && gap <= 5 && ![0, 6].includes(weekday(next));
      }),
    );
  });
});
