/**
 * The mails of a group's start and of later changes to it: the welcome to each member, the
 * roster and plan to the organiser, the notice to each municipality's contact, the roster
 * update, and the farewell to a member who was replaced. Pure functions, Finnish.
 *
 * Layout and safety come from mail-texts.ts (`compose`): one-line subjects, escaped HTML.
 */
import { weekday } from './calendar.ts';
import { formatDateFi, joinFi, lowerFirst, municipalityGenitive, timesPerYearFi } from './finnish.ts';
import { html, type SafeHtml, singleLine } from './html.ts';
import { compose, type MailAttachment, type MailContent, paragraph, STYLE } from './mail-texts.ts';
import type { MeetingPlan, PlannedMeeting } from './meeting-plan.ts';
import { type GroupRoster, type RosterSection, sameEmail } from './roster.ts';
import type { Municipality, Person, Round } from './types.ts';

const one = singleLine;
const WEEKDAYS = ['su', 'ma', 'ti', 'ke', 'to', 'pe', 'la'];

/** Finnish clock time: "09:00" → "9.00". */
function clockFi(time: string): string {
  const [h = '0', m = '00'] = time.split(':');
  return `${Number(h)}.${m}`;
}

function quoted(s: string): string {
  return `”${s}”`;
}

function listText(items: string[]): string {
  return items.map((item) => `- ${item}`).join('\n');
}

function listHtml(items: string[]): SafeHtml {
  return html`<ul style="${STYLE.list}">${items.map((item) => html`<li>${item}</li>`)}</ul>`;
}

/** "ti 20.2.2024 klo 13.00–15.00 Kumppanuusryhmän tapaaminen". */
export function meetingLine(meeting: PlannedMeeting): string {
  const when = `${WEEKDAYS[weekday(meeting.date)]} ${formatDateFi(meeting.date)} klo ${clockFi(meeting.startTime)}–${clockFi(meeting.endTime)}`;
  const what =
    meeting.kind === 'negotiation' ? `${meeting.title} (hyvinvointikertomus ja -suunnitelma)` : meeting.title;
  return `${when} ${what}`;
}

/** The plan as text lines and an HTML list, with the default agenda once. */
export function planText(plan: MeetingPlan): string {
  const themes = plan.meetings.find((m) => m.kind === 'meeting')?.agenda.slice(1) ?? [];
  return [
    `Ensimmäisen vuoden tapaamiset (${formatDateFi(plan.from)} alkaen)`,
    listText(plan.meetings.map(meetingLine)),
    '',
    `Teemat jokaisessa tapaamisessa: ${themes.map(lowerFirst).join(', ')}.`,
  ].join('\n');
}

function planHtml(plan: MeetingPlan): SafeHtml {
  const themes = plan.meetings.find((m) => m.kind === 'meeting')?.agenda.slice(1) ?? [];
  return html`<h2 style="${STYLE.h2}">Ensimmäisen vuoden tapaamiset</h2>
${listHtml(plan.meetings.map(meetingLine))}
${paragraph(`Teemat jokaisessa tapaamisessa: ${themes.map(lowerFirst).join(', ')}.`)}`;
}

/** "Eeva Elomäki, hyvinvointi- ja hankekoordinaattori, eeva.elomaki@liperi.example, p. 040 …". */
function contactOf(p: Person): string {
  const phone = one(p.phone ?? '');
  return [one(p.name), lowerFirst(one(p.title)), one(p.email), phone && `p. ${phone}`]
    .filter(Boolean)
    .join(', ');
}

function sectionHeading(section: RosterSection): string {
  return one(section.name);
}

export function rosterText(roster: GroupRoster): string {
  return roster.sections
    .map((s) => `${sectionHeading(s)}\n${listText(s.members.map(contactOf))}`)
    .join('\n\n');
}

function rosterHtml(roster: GroupRoster): SafeHtml {
  return html`${roster.sections.map(
    (s) => html`<h3 style="${STYLE.h2}">${sectionHeading(s)}</h3>${listHtml(s.members.map(contactOf))}`,
  )}`;
}

function memberCount(roster: GroupRoster): number {
  const emails = new Set(roster.sections.flatMap((s) => s.members.map((m) => m.email.trim().toLowerCase())));
  return emails.size;
}

const CALENDAR_NOTE =
  'Tapaamiset ovat liitteenä kalenteritiedostona (.ics), jonka voi avata kalenteriohjelmaan.';

/** The plan's .ics as a mail attachment. */
export function calendarAttachment(groupId: string, ics: string): MailAttachment {
  return {
    filename: `kumppanuusryhma-${groupId}.ics`,
    contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    content: ics,
  };
}

export interface WelcomeInput {
  round: Round;
  roster: GroupRoster;
  plan: MeetingPlan;
  member: Person;
  ics: string;
  /** A member who joins in place of others (a replacement after the start). */
  replacing?: Person[];
}

/** "Liperin edustajaksi" or "jäseneksi (Pohjois-Karjalan maakuntaliitto)". */
function roleOf(roster: GroupRoster, member: Person): string {
  const section = roster.sections.find((s) => s.members.some((m) => sameEmail(m.email, member.email)));
  if (section?.kind === 'municipality') return `${municipalityGenitive(one(section.name))} edustajaksi`;
  return section ? `jäseneksi (${one(section.name)})` : 'jäseneksi';
}

/** To each member: their group, the roster, the first year's plan, the .ics. */
export function groupWelcomeMail({ round, roster, plan, member, ics, replacing }: WelcomeInput): MailContent {
  const group = one(roster.groupName);
  const greeting = `Hyvä ${one(member.name)},`;
  const instead = replacing?.length ? ` ${joinFi(replacing.map((p) => one(p.name)))} tilalle` : '';
  const welcome = `Sinut on nimetty ${roleOf(roster, member)}${instead} ryhmään ${quoted(group)}. Tervetuloa mukaan!`;
  const first = plan.meetings[0];
  const rhythm =
    `Ryhmä aloittaa toimintansa ${formatDateFi(round.startDate)} ja kokoontuu noin ${timesPerYearFi(round.meetingsPerYear)}. ` +
    (first ? `Ensimmäinen tapaaminen on ${meetingLine(first)}. ` : '') +
    'Kokouspaikka ja esityslista tulevat kokouskutsun mukana.';

  return {
    ...compose({
      subject: `Tervetuloa: ${group} aloittaa ${formatDateFi(round.startDate)}`,
      organiser: round.organiser,
      textBlocks: [
        greeting,
        welcome,
        rhythm,
        planText(plan),
        CALENDAR_NOTE,
        `Ryhmän jäsenet\n\n${rosterText(roster)}`,
      ],
      htmlBody: html`${paragraph(greeting)}
<h1 style="${STYLE.h1}">Tervetuloa: ${group}</h1>
${paragraph(welcome)}
${paragraph(rhythm)}
${planHtml(plan)}
${paragraph(CALENDAR_NOTE)}
<h2 style="${STYLE.h2}">Ryhmän jäsenet</h2>
${rosterHtml(roster)}`,
    }),
    attachments: [calendarAttachment(roster.groupId, ics)],
  };
}

export interface RosterPlanInput {
  round: Round;
  roster: GroupRoster;
  plan: MeetingPlan;
  ics: string;
  /** Set when the roster changed after the start: what changed, one sentence. */
  change?: string;
}

/** To the organiser's registry: the group's roster with work contacts, who is missing, the plan. */
export function rosterPlanMail({ round, roster, plan, ics, change }: RosterPlanInput): MailContent {
  const group = one(roster.groupName);
  const lead = change
    ? `Ryhmän ${quoted(group)} kokoonpano on muuttunut. ${one(change)}`
    : `Ryhmä ${quoted(group)} on aloittanut toimintansa ${formatDateFi(round.startDate)}.`;
  const count = `Jäseniä on ${memberCount(roster)}.`;
  const missing = roster.missingMunicipalities.map(one);
  const missingText =
    missing.length === 0
      ? 'Kaikki ryhmän kunnat ovat nimenneet edustajansa.'
      : `Edustajia eivät ole nimenneet: ${joinFi(missing)}.`;
  const subject = change
    ? `Kokoonpano muuttunut: ${group}`
    : `Kokoonpano ja tapaamiset: ${group} – toiminta alkaa ${formatDateFi(round.startDate)}`;

  return {
    ...compose({
      subject,
      organiser: round.organiser,
      textBlocks: [`${lead} ${count}`, rosterText(roster), missingText, planText(plan), CALENDAR_NOTE],
      htmlBody: html`<h1 style="${STYLE.h1}">${change ? 'Kokoonpano muuttunut' : 'Kokoonpano ja tapaamiset'}: ${group}</h1>
${paragraph(`${lead} ${count}`)}
${rosterHtml(roster)}
<h2 style="${STYLE.h2}">Nimeämättä</h2>
${paragraph(missingText)}
${planHtml(plan)}
${paragraph(CALENDAR_NOTE)}`,
    }),
    attachments: [calendarAttachment(roster.groupId, ics)],
  };
}

export interface MunicipalityNoticeInput {
  round: Round;
  roster: GroupRoster;
  plan: MeetingPlan;
  municipality: Municipality;
}

/** To the municipality's contact (the presenter): the group started, with these of yours in it. */
export function municipalityNoticeMail({
  round,
  roster,
  plan,
  municipality,
}: MunicipalityNoticeInput): MailContent {
  const group = one(roster.groupName);
  const name = one(municipality.name);
  const own = roster.sections.find((s) => s.kind === 'municipality' && s.municipalityId === municipality.id);
  const started = `Ryhmä ${quoted(group)} on aloittanut toimintansa ${formatDateFi(round.startDate)}.`;
  const representatives = own
    ? `${municipalityGenitive(name)} edustajat ryhmässä:\n${listText(own.members.map(contactOf))}`
    : `${name} ei ole nimennyt ryhmään edustajia. Myöhemmin nimetyt edustajat liitetään ryhmään, ja he saavat tervetuloviestin.`;
  const greeting = `Hyvä ${one(municipality.presenter.name)},`;

  return compose({
    subject: `Tiedoksi: ${group} aloitti toimintansa ${formatDateFi(round.startDate)}`,
    organiser: round.organiser,
    textBlocks: [greeting, started, representatives, planText(plan)],
    htmlBody: html`${paragraph(greeting)}
<h1 style="${STYLE.h1}">${group} aloitti toimintansa</h1>
${paragraph(started)}
${
  own
    ? html`<h2 style="${STYLE.h2}">${municipalityGenitive(name)} edustajat</h2>${listHtml(own.members.map(contactOf))}`
    : paragraph(representatives)
}
${planHtml(plan)}`,
  });
}

export interface FarewellInput {
  round: Round;
  roster: GroupRoster;
  municipality: Municipality;
  member: Person;
  successors: Person[];
}

/** To a member replaced after the start: the membership ended, who follows. */
export function memberLeftMail({
  round,
  roster,
  municipality,
  member,
  successors,
}: FarewellInput): MailContent {
  const group = one(roster.groupName);
  const greeting = `Hyvä ${one(member.name)},`;
  const ended = `${municipalityGenitive(one(municipality.name))} uuden päätöksen mukaan jäsenyytesi ryhmässä ${quoted(group)} on päättynyt.`;
  const next = successors.length
    ? `Tilallesi on nimetty ${joinFi(successors.map((p) => `${lowerFirst(one(p.title))} ${one(p.name)}`))}.`
    : '';
  const thanks = 'Kiitos työstäsi ryhmässä! Ryhmän tulevat kokouskutsut eivät enää koske sinua.';
  return compose({
    subject: `Jäsenyys päättynyt: ${group}`,
    organiser: round.organiser,
    textBlocks: [greeting, ended, next, thanks],
    htmlBody: html`${paragraph(greeting)}
<h1 style="${STYLE.h1}">Jäsenyys päättynyt: ${group}</h1>
${paragraph(ended)}
${next ? paragraph(next) : ''}
${paragraph(thanks)}`,
  });
}
