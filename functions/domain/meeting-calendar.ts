/**
 * The meeting plan as an iCalendar file (RFC 5545) for the members' calendars.
 *
 * Times are Helsinki wall-clock times written with TZID=Europe/Helsinki, and the file carries
 * the zone's own VTIMEZONE (EET/EEST, EU summer time rules), so a calendar keeps 13.00 at
 * 13.00 across the summer-time switch whatever zone the reader's computer is in.
 * Each meeting's UID is stable (round, group, number): a later file with the same UIDs
 * updates the members' entries instead of duplicating them.
 */
import { singleLine } from './html.ts';
import type { MeetingPlan, PlannedMeeting } from './meeting-plan.ts';
import { FINNISH_TIME_ZONE } from './time.ts';
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

/** A Helsinki wall-clock time as iCalendar writes it with TZID (20240220T130000). */
function wallClock(date: string, time: string): string {
  return `${date.replaceAll('-', '')}T${time.replace(':', '')}00`;
}

/** An instant in UTC as iCalendar writes it (20231215T080000Z). */
function utc(at: Date): string {
  return `${at.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
}

/** TEXT value escaping (RFC 5545 3.3.11). */
function text(value: string): string {
  return value.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, '\\n');
}

/** A quoted parameter value (RFC 6868: ^^, ^' and ^n). */
function parameter(value: string): string {
  return value
    .replace(/\^/g, '^^')
    .replace(/"/g, "^'")
    .replace(/\r\n|\r|\n/g, '^n');
}

/** Folds a content line after 74 octets, continuation lines starting with a space (RFC 5545 3.1). */
function fold(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= 74) return line;
  let out = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    octets += size;
    if (octets > 74) {
      out += '\r\n ';
      octets = size;
    }
    out += ch;
  }
  return out;
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
  const organiser = singleLine(input.organiser.name);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Nimitys//Nimitys//FI',
    'METHOD:PUBLISH',
    ...(groupName === '' ? [] : [`NAME:${groupName}`, `X-WR-CALNAME:${groupName}`]),
    // DTSTAMP stays in UTC as RFC 5545 requires; the meetings are in the Helsinki zone.
    HELSINKI_VTIMEZONE,
  ];
  for (const meeting of input.plan.meetings) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${meetingUid(input.roundId, input.groupId, meeting)}`,
      `SEQUENCE:${input.sequence ?? 0}`,
      `DTSTAMP:${utc(input.stamp)}`,
      `DTSTART;TZID=${FINNISH_TIME_ZONE}:${wallClock(meeting.date, meeting.startTime)}`,
      `DTEND;TZID=${FINNISH_TIME_ZONE}:${wallClock(meeting.date, meeting.endTime)}`,
      `SUMMARY:${text(`${groupName}: ${meeting.title}`)}`,
      `DESCRIPTION:${text(description(groupName, meeting))}`,
      `ORGANIZER;CN="${parameter(organiser)}":mailto:${input.organiser.contact.email}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n').split('\r\n').map(fold).join('\r\n');
}
