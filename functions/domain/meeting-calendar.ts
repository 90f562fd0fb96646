/**
 * The meeting plan as an iCalendar file (RFC 5545) for the members' calendars.
 *
 * Times are Helsinki wall-clock times written with TZID=Europe/Helsinki, and the file carries
 * the zone's own VTIMEZONE (EET/EEST, EU summer time rules), so a calendar keeps 13.00 at
 * 13.00 across the summer-time switch whatever zone the reader's computer is in.
 * Each meeting's UID is stable (round, group, number): a later file with the same UIDs
 * updates the members' entries instead of duplicating them.
 */
import ical, {
  ICalCalendarMethod,
  type ICalTemporalPlainDateTimeStub,
  type ICalTemporalZonedDateTimeStub,
} from 'ical-generator';
import { singleLine } from './html.ts';
import type { MeetingPlan, PlannedMeeting } from './meeting-plan.ts';
import { FINNISH_TIME_ZONE, helsinkiInstant } from './time.ts';
import type { Person } from './types.ts';

/**
 * Europe/Helsinki since 1983: EET (+02:00), EEST (+03:00) from the last Sunday of March
 * 03:00 to the last Sunday of October 04:00 local time (EU rules, 01:00 UTC both ways).
 */
export const HELSINKI_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${FINNISH_TIME_ZONE}`,
  `X-LIC-LOCATION:${FINNISH_TIME_ZONE}`,
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0300',
  'TZNAME:EEST',
  'DTSTART:19830327T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0300',
  'TZOFFSETTO:+0200',
  'TZNAME:EET',
  'DTSTART:19831030T040000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

/**
 * A wall-clock time in the shape ical-generator takes for a Temporal.PlainDateTime: with an
 * event time zone it writes the fields as they are (DTSTART;TZID=…:20240220T130000). A native
 * Date would be written in the server's own zone.
 */
function wallClock(date: string, time: string): ICalTemporalPlainDateTimeStub {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const plain: ICalTemporalPlainDateTimeStub = {
    year,
    month,
    day,
    hour,
    minute,
    second: 0,
    toPlainDate: () => ({ year, month, day, toJSON: () => date, toString: () => date }),
    toJSON: () => `${date}T${time}:00`,
    toString: () => `${date}T${time}:00`,
    toZonedDateTime: (timeZoneId: string) => {
      const zoned: ICalTemporalZonedDateTimeStub = {
        ...plain,
        timeZoneId,
        withTimeZone: () => zoned,
        toPlainDateTime: () => plain,
        toInstant: () => {
          const at = helsinkiInstant(date, `${time}:00`);
          return {
            epochMilliseconds: at.getTime(),
            toJSON: () => at.toISOString(),
            toString: () => at.toISOString(),
            toZonedDateTimeISO: () => zoned,
          };
        },
        toJSON: () => `${date}T${time}:00[${timeZoneId}]`,
        toString: () => `${date}T${time}:00[${timeZoneId}]`,
      };
      return zoned;
    },
  };
  return plain;
}

export interface MeetingCalendarInput {
  plan: MeetingPlan;
  roundId: string;
  groupId: string;
  groupName: string;
  /** The county's contact, as ORGANIZER. */
  organiser: { name: string; contact: Person };
  /** DTSTAMP: when the file was made. */
  stamp: Date;
  /** Bumped when the plan is sent again with changes. */
  sequence?: number;
}

export function meetingUid(
  roundId: string,
  groupId: string,
  meeting: Pick<PlannedMeeting, 'number'>,
): string {
  return `${roundId}.${groupId}.${meeting.number}@nimitys`;
}

function description(groupName: string, meeting: PlannedMeeting): string {
  const lines = [
    groupName,
    meeting.kind === 'negotiation'
      ? 'Vuotuinen neuvottelu hyvinvoinnin ja terveyden edistämisestä (612/2021 7 §).'
      : 'Kumppanuusryhmän tapaaminen.',
    '',
    'Esityslista (alustava):',
    ...meeting.agenda.map((item, i) => `${i + 1}. ${item}`),
    '',
    'Kokouspaikka ja tarkempi esityslista ilmoitetaan kokouskutsussa.',
  ];
  return lines.join('\n');
}

/** The plan as an .ics text (CRLF lines, folded at 75 octets). */
export function meetingCalendar(input: MeetingCalendarInput): string {
  const groupName = singleLine(input.groupName);
  const calendar = ical({
    prodId: { company: 'Nimitys', product: 'Nimitys', language: 'FI' },
    name: groupName,
    method: ICalCalendarMethod.PUBLISH,
    // No calendar-wide zone name: DTSTAMP stays in UTC as RFC 5545 requires; the generator
    // adds the VTIMEZONE for the events' zone.
    timezone: { name: null, generator: (zone) => (zone === FINNISH_TIME_ZONE ? HELSINKI_VTIMEZONE : null) },
  });
  for (const meeting of input.plan.meetings) {
    calendar.createEvent({
      id: meetingUid(input.roundId, input.groupId, meeting),
      sequence: input.sequence ?? 0,
      stamp: input.stamp,
      timezone: FINNISH_TIME_ZONE,
      start: wallClock(meeting.date, meeting.startTime),
      end: wallClock(meeting.date, meeting.endTime),
      summary: `${groupName}: ${meeting.title}`,
      description: description(groupName, meeting),
      organizer: { name: singleLine(input.organiser.name), email: input.organiser.contact.email },
    });
  }
  return calendar.toString();
}
