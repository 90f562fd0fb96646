import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { addDays, isWorkingDay, weekday } from '../../functions/domain/calendar.ts';
import { HELSINKI_VTIMEZONE, meetingCalendar } from '../../functions/domain/meeting-calendar.ts';
import {
  MEETING_THEMES,
  MeetingPlanError,
  meetingPlan,
  NEGOTIATION_ITEM,
} from '../../functions/domain/meeting-plan.ts';
import { helsinkiInstant } from '../../functions/domain/time.ts';

const THEMES_OF_THE_MINUTE = [
  'Elintavat',
  'Mielen hyvinvointi',
  'Ehkäisevä päihdetyö',
  'Arjen toimintakyky',
  'Turvallisuus',
  'Osallisuus',
];

describe('the first-year meeting plan', () => {
  it('spreads the minute’s four meetings over 2024 on working midweek days, the second being the negotiation', () => {
    // act
    const plan = meetingPlan('2024-01-01', 4);

    // assess
    expect(plan.from).toBe('2024-01-01');
    expect(plan.until).toBe('2025-01-01');
    expect(plan.meetings.map((m) => [m.date, m.kind, m.startTime, m.endTime])).toEqual([
      ['2024-02-20', 'meeting', '13:00', '15:00'],
      ['2024-05-21', 'negotiation', '09:00', '12:00'],
      ['2024-08-20', 'meeting', '13:00', '15:00'],
      ['2024-11-19', 'meeting', '13:00', '15:00'],
    ]);
    expect(plan.meetings.map((m) => m.number)).toEqual([1, 2, 3, 4]);
  });

  it('puts the minute’s themes on every agenda and the wellbeing report and plan first at the negotiation', () => {
    const plan = meetingPlan('2024-01-01', 4);

    expect(MEETING_THEMES).toEqual(THEMES_OF_THE_MINUTE);
    for (const meeting of plan.meetings) expect(meeting.agenda.slice(1)).toEqual(THEMES_OF_THE_MINUTE);
    const negotiation = plan.meetings.filter((m) => m.kind === 'negotiation');
    expect(negotiation).toHaveLength(1);
    expect(negotiation[0]?.agenda[0]).toBe(NEGOTIATION_ITEM);
    expect(NEGOTIATION_ITEM).toMatch(/Hyvinvointikertomus ja -suunnitelma.*612\/2021 7 §/);
  });

  it('steps over Finnish holidays: a meeting aimed at Ascension Day moves to the next working day', () => {
    // prepare: with 12 meetings from 2026-04-29 the first is aimed at Thursday 2026-05-14, helatorstai
    const plan = meetingPlan('2026-04-29', 12);

    // assess: Friday is no midweek day, so Tuesday
    expect(plan.meetings[0]?.date).toBe('2026-05-19');
    expect(plan.meetings.map((m) => m.date)).not.toContain('2026-05-14');
  });

  it('keeps a small group out of the July holidays', () => {
    // one meeting a year from New Year would be aimed at 2 July
    expect(meetingPlan('2024-01-01', 1).meetings.map((m) => [m.date, m.kind])).toEqual([
      ['2024-08-13', 'negotiation'],
    ]);
    expect(meetingPlan('2024-01-01', 3).meetings.map((m) => m.date)).toEqual([
      '2024-03-05',
      '2024-08-13',
      '2024-11-05',
    ]);
  });

  it('holds for any start date and any count of 1–12: n distinct working midweek days inside the year, one negotiation', () => {
    const startDates = fc.integer({ min: 0, max: 365 * 30 }).map((days) => addDays('2024-01-01', days));
    fc.assert(
      fc.property(startDates, fc.integer({ min: 1, max: 12 }), (start, n) => {
        const plan = meetingPlan(start, n);
        const dates = plan.meetings.map((m) => m.date);
        expect(dates).toHaveLength(n);
        expect(dates.every(isWorkingDay)).toBe(true);
        expect(dates.every((d) => [2, 3, 4].includes(weekday(d)))).toBe(true);
        expect(dates.every((d, i) => i === 0 || (dates[i - 1] as string) < d)).toBe(true);
        expect(dates.every((d) => d >= plan.from && d < plan.until)).toBe(true);
        expect(plan.meetings.filter((m) => m.kind === 'negotiation')).toHaveLength(1);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a meeting count outside 1–12 with a named error naming the field', () => {
    for (const count of [0, 13, 2.5, Number.NaN]) {
      expect(() => meetingPlan('2024-01-01', count)).toThrow(MeetingPlanError);
    }
    expect(() => meetingPlan('2024-01-01', 13)).toThrow(/^meetingsPerYear: Kokouksia voi olla vuodessa 1–12/);
  });
});

/** The .ics read back with ical.js, an independent RFC 5545 parser. */
function parse(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const zone = calendar.getFirstSubcomponent('vtimezone');
  if (zone) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  return {
    calendar,
    events: calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v)),
  };
}

function liperiCalendar(plan = meetingPlan('2024-01-01', 4)) {
  return meetingCalendar({
    plan,
    roundId: 'pohjois-karjala-2024',
    groupId: 'joensuun-seutu',
    groupName: 'Joensuun seudun alueellinen kumppanuusryhmä',
    organiser: {
      name: 'Pohjois-Karjalan hyvinvointialue',
      contact: { name: 'Hanna Heikäläinen', title: 'päällikkö', email: 'hyte@siunsote.example' },
    },
    stamp: new Date('2023-12-15T08:00:00Z'),
  });
}

describe('the meeting plan as iCalendar', () => {
  it('parses back with an independent parser: one event per meeting at the Helsinki times, summer time included', () => {
    // prepare
    const plan = meetingPlan('2024-01-01', 4);

    // act
    const { calendar, events } = parse(liperiCalendar(plan));

    // assess
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('prodid')).toBe('-//Nimitys//Nimitys//FI');
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(events).toHaveLength(4);
    events.forEach((event, i) => {
      const meeting = plan.meetings[i];
      if (!meeting) throw new Error('a meeting per event');
      expect(event.component.getFirstProperty('dtstart')?.getParameter('tzid')).toBe('Europe/Helsinki');
      expect(event.startDate.zone?.tzid).toBe('Europe/Helsinki');
      // The instant: 13.00 in Helsinki is 11.00 UTC in winter and 10.00 UTC in summer.
      expect(event.startDate.toJSDate().toISOString()).toBe(
        helsinkiInstant(meeting.date, `${meeting.startTime}:00`).toISOString(),
      );
      expect(event.endDate.toJSDate().toISOString()).toBe(
        helsinkiInstant(meeting.date, `${meeting.endTime}:00`).toISOString(),
      );
      expect(event.uid).toBe(`pohjois-karjala-2024.joensuun-seutu.${i + 1}@nimitys`);
      expect(event.summary).toContain('Joensuun seudun alueellinen kumppanuusryhmä');
      for (const theme of THEMES_OF_THE_MINUTE) expect(event.description).toContain(theme);
    });
    expect(events[2]?.startDate.toJSDate().toISOString()).toBe('2024-08-20T10:00:00.000Z');
    expect(events[0]?.startDate.toJSDate().toISOString()).toBe('2024-02-20T11:00:00.000Z');
    expect(events[1]?.summary).toMatch(/hyvinvointineuvottelu/);
  });

  it('is well-formed RFC 5545: CRLF lines of at most 75 octets, UTC DTSTAMP, the zone’s VTIMEZONE', () => {
    const ics = liperiCalendar();

    const lines = ics.split('\r\n');
    expect(ics.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    expect(lines.every((line) => Buffer.byteLength(line, 'utf8') <= 75)).toBe(true);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.filter((l) => l.startsWith('DTSTAMP:'))).toEqual(
      Array.from({ length: 4 }, () => 'DTSTAMP:20231215T080000Z'),
    );
    expect(ics).toContain(HELSINKI_VTIMEZONE);
    expect(lines.filter((l) => l.startsWith('DTSTART;TZID=Europe/Helsinki:'))).toHaveLength(4);
  });

  it('keeps the zone’s offsets as the tz database has them for every meeting of the next decades', () => {
    // The VTIMEZONE's rules against the platform's tz data: the same UTC instant for each start.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 30 }).map((d) => addDays('2024-01-01', d)),
        fc.integer({ min: 1, max: 12 }),
        (start, n) => {
          const plan = meetingPlan(start, n);
          const { events } = parse(liperiCalendar(plan));
          events.forEach((event, i) => {
            const meeting = plan.meetings[i];
            if (!meeting) throw new Error('a meeting per event');
            expect(event.startDate.toJSDate().getTime()).toBe(
              helsinkiInstant(meeting.date, `${meeting.startTime}:00`).getTime(),
            );
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
