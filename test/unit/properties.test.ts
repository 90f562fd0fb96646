/**
 * Properties of the validators at the edges and of the deadline arithmetic, over
 * generated input (fast-check). Example-based tests live beside each module; these say
 * what holds for every input: valid round files are accepted and any one broken field
 * is named; form validators throw nothing but ValidationError and keep what they accept;
 * genitives never throw; deadlines land on working days, after their period, in order.
 * (calendar.test.ts already covers nextWorkingDay itself; meeting-plan.test.ts the plan.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify as stringifyYaml } from 'yaml';
import { appealDates, CORRECTION_PERIOD_DAYS, personalDataPublicOn } from '../../functions/domain/appeal.ts';
import { addDays, isWorkingDay } from '../../functions/domain/calendar.ts';
import { RoundFileError, ValidationError } from '../../functions/domain/errors.ts';
import { genitive, municipalityGenitive, phraseGenitive } from '../../functions/domain/finnish.ts';
import {
  ADOPTED_TEXT,
  LIMITS,
  parseCalendarDate,
  parseDecisionAction,
  parseProposalForm,
} from '../../functions/domain/forms.ts';
import { planWait, reminderSchedule } from '../../functions/domain/reminders.ts';
import { answerDeadline } from '../../functions/domain/round.ts';
import { parseRoundFile } from '../../functions/domain/round-file.ts';
import { helsinkiDate, helsinkiInstant } from '../../functions/domain/time.ts';
import type { Person, Proposal } from '../../functions/domain/types.ts';
import { nomineeFields } from '../../local/officials.ts';
import { liperiProposal, liperiRound } from '../fixtures/liperi.ts';

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------
// Generators

const LOWER = 'abcdefghijklmnopqrstuvwxyzåäö';
const letters = (min: number, max: number, alphabet = LOWER) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
const capitalised = letters(2, 12).map((w) => w.charAt(0).toUpperCase() + w.slice(1));
/** A person's name as people write them: words of letters, some hyphenated. */
const personName = fc
  .array(
    fc.oneof(
      capitalised,
      fc.tuple(capitalised, capitalised).map(([a, b]) => `${a}-${b}`),
    ),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .map((words) => words.join(' '));
/** One line of legal text: letters, digits and the punctuation (markup included) people type. */
const textLine = fc
  .array(fc.oneof(letters(1, 10), fc.constantFrom('&', '<b>', '"', "'", '–', '§', '(1)', '87', '👍🏽')), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => `X ${parts.join(' ')}`);
const slug = fc
  .tuple(
    letters(1, 8, 'abcdefghijklmnopqrstuvwxyz0123456789'),
    letters(0, 8, 'abcdefghijklmnopqrstuvwxyz0123456789'),
  )
  .map(([a, b]) => (b ? `${a}-${b}` : a));
const email = fc
  .tuple(letters(1, 10, 'abcdefghijklmnopqrstuvwxyz'), letters(2, 10, 'abcdefghijklmnopqrstuvwxyz'))
  .map(([local, domain]) => `${local}@${domain}.example`);
const phone = fc.stringMatching(/^0[0-9]{2} [0-9]{3} [0-9]{4}$/);
const person = fc.record(
  { name: personName, title: letters(3, 20), email, phone },
  { requiredKeys: ['name', 'title', 'email'] },
);
/** A calendar date between 2000 and 2060. */
const isoDate = fc.integer({ min: 0, max: 365 * 60 }).map((d) => addDays('2000-01-01', d));

/** 1–4 distinct people (no shared name or e-mail, as the form requires). */
const nominees = fc
  .uniqueArray(person, {
    minLength: 1,
    maxLength: 4,
    selector: (p) => p.email,
  })
  .filter((people) => new Set(people.map((p) => p.name.toLowerCase())).size === people.length);

/** A valid round file as an object: unique ids, every municipality in exactly one group. */
const roundFileObject = fc
  .record({
    id: slug,
    title: textLine,
    caseText: fc.array(textLine, { minLength: 1, maxLength: 3 }).map((p) => p.join('\n\n')),
    organiser: fc.record({ name: textLine, registryEmail: email, contact: person }),
    request: isoDate,
    answerDays: fc.integer({ min: 0, max: 120 }),
    startDays: fc.integer({ min: 1, max: 120 }),
    municipalityIds: fc.uniqueArray(slug, { minLength: 1, maxLength: 5 }),
    groupCount: fc.integer({ min: 1, max: 3 }),
    people: fc.array(person, { minLength: 10, maxLength: 10 }),
    names: fc.array(textLine, { minLength: 10, maxLength: 10 }),
  })
  .map((r) => {
    const groups = Array.from({ length: Math.min(r.groupCount, r.municipalityIds.length) }, (_, g) => ({
      id: `ryhma-${g}`,
      name: `Ryhmä ${g}`,
      municipalities: r.municipalityIds.filter(
        (_, i) => i % Math.min(r.groupCount, r.municipalityIds.length) === g,
      ),
    }));
    const deadline = addDays(r.request, r.answerDays);
    return {
      id: r.id,
      title: r.title,
      caseText: r.caseText,
      organiser: r.organiser,
      seats: { min: 1, max: 4 },
      requestDate: r.request,
      deadline,
      startDate: addDays(deadline, r.startDays),
      meetingsPerYear: 4,
      groups,
      municipalities: r.municipalityIds.map((id, i) => ({
        id,
        name: r.names[i % 10] as string,
        registryEmail: `kirjaamo@${id}.example`,
        boardEmail: `hallitus@${id}.example`,
        preparer: r.people[i % 10] as Person,
        presenter: r.people[(i + 5) % 10] as Person,
        body: { name: r.names[(i + 5) % 10] as string, secretaryEmail: `sihteeri@${id}.example` },
      })),
    };
  });

type Json = Record<string, unknown>;

/** Every required field of a generated file, as the parser names it. */
function requiredPaths(file: Json): string[] {
  const personPaths = (prefix: string) => ['name', 'title', 'email'].map((k) => `${prefix}.${k}`);
  const paths = [
    'id',
    'title',
    'caseText',
    'organiser.name',
    'organiser.registryEmail',
    ...personPaths('organiser.contact'),
    'requestDate',
    'deadline',
    'startDate',
  ];
  (file.municipalities as Json[]).forEach((_, i) => {
    const m = `municipalities[${i}]`;
    paths.push(
      `${m}.id`,
      `${m}.name`,
      `${m}.registryEmail`,
      `${m}.boardEmail`,
      ...personPaths(`${m}.preparer`),
      ...personPaths(`${m}.presenter`),
      `${m}.body.name`,
      `${m}.body.secretaryEmail`,
    );
  });
  (file.groups as Json[]).forEach((_, i) => {
    paths.push(`groups[${i}].id`, `groups[${i}].name`);
  });
  return paths;
}

const pathKeys = (path: string) =>
  (path.match(/[^.[\]]+/g) ?? []).map((k) => (/^\d+$/.test(k) ? Number(k) : k));

function mutate(file: Json, path: string, mutation: (value: unknown) => unknown): Json {
  const copy = structuredClone(file);
  const keys = pathKeys(path);
  const last = keys.pop() as string;
  let target = copy as Record<string | number, unknown>;
  for (const key of keys) target = target[key] as Record<string | number, unknown>;
  const next = mutation(target[last]);
  if (next === undefined) delete target[last];
  else target[last] = next;
  return copy;
}

/** Ways to break one field: missing, null, a number, empty, a list, NUL or a bidi override inside. */
const MUTATIONS: Array<[string, (value: unknown) => unknown]> = [
  ['missing', () => undefined],
  ['null', () => null],
  ['a number', () => 42],
  ['empty', () => ''],
  ['white space', () => ' \t '],
  ['a list', (v) => [v]],
  ['NUL inside', (v) => `${String(v).slice(0, 1)}\u0000${String(v).slice(1)}`],
  ['a right-to-left override inside', (v) => `${String(v).slice(0, 1)}\u202e${String(v).slice(1)}`],
];

function fieldsNamed(text: string): string[] {
  try {
    parseRoundFile(text);
    return [];
  } catch (error) {
    if (!(error instanceof RoundFileError)) throw error;
    return error.fieldErrors.map((e) => e.field);
  }
}

// ---------------------------------------------------------------------------------

describe('the round-file validator (property)', () => {
  it('accepts every valid file, as JSON and as YAML, and keeps what it says', () => {
    fc.assert(
      fc.property(roundFileObject, fc.boolean(), (file, asYaml) => {
        const round = parseRoundFile(asYaml ? stringifyYaml(file) : JSON.stringify(file));
        expect(round.id).toBe(file.id);
        expect(round.title).toBe(file.title);
        expect(round.caseText).toBe(file.caseText);
        expect(round.deadline).toBe(file.deadline);
        expect(round.municipalities.map((m) => [m.id, m.name, m.preparer])).toEqual(
          file.municipalities.map((m) => [m.id, m.name, m.preparer]),
        );
        expect(round.groups.flatMap((g) => g.municipalityIds).sort()).toEqual(
          file.municipalities.map((m) => m.id).sort(),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('refuses any one required field broken in any way, naming that field', () => {
    const broken = roundFileObject.chain((file) =>
      fc.record({
        file: fc.constant(file as Json),
        path: fc.constantFrom(...requiredPaths(file as Json)),
        mutation: fc.constantFrom(...MUTATIONS),
      }),
    );
    fc.assert(
      fc.property(broken, ({ file, path, mutation: [, change] }) => {
        const fields = fieldsNamed(JSON.stringify(mutate(file, path, change)));
        expect(fields).toContain(path);
      }),
      { numRuns: 400 },
    );
  });

  it('never throws anything but its own error for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        try {
          parseRoundFile(text);
        } catch (error) {
          expect(error).toBeInstanceOf(RoundFileError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------

const seats = { min: 1, max: 4 };
const KNOWN_FIELDS = [
  'csrf',
  'text',
  'comment',
  'outcome',
  'meetingDate',
  'section',
  'nextMeetingDate',
  'diaryNumber',
  ...[0, 1, 2, 3, 4, 7].flatMap((i) => ['name', 'title', 'email', 'phone'].map((p) => `nominees.${i}.${p}`)),
];
const ERROR_FIELD =
  /^(nominees(\.\d+\.(name|title|email|phone))?|text|comment|outcome|meetingDate|section|nextMeetingDate|diaryNumber)$/;
/** Form bodies as anyone may post them: known and unknown names, any strings. */
const anyFields = fc.dictionary(
  fc.oneof(
    fc.constantFrom(...KNOWN_FIELDS, '__proto__', 'constructor', 'toString'),
    fc.string({ maxLength: 20 }),
  ),
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.constantFrom('adopted', 'adopted_with_changes', 'returned', 'tabled', 'rejected', '1.1.2024', '87'),
  ),
  { maxKeys: 16 },
);

/** Runs a validator: its result, or the ValidationError it threw; anything else fails the property. */
function outcomeOf<T>(act: () => T): T | ValidationError {
  try {
    return act();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.fieldErrors.length).toBeGreaterThan(0);
    for (const e of error.fieldErrors) {
      expect(e.field).toMatch(ERROR_FIELD);
      expect(e.message.length).toBeGreaterThan(10);
    }
    return error;
  }
}

describe('the officials’ form validators (property)', () => {
  it('answer any posted body with a result or a ValidationError naming form fields, never anything else', () => {
    const proposal: Proposal = liperiProposal();
    fc.assert(
      fc.property(anyFields, (fields) => {
        outcomeOf(() => parseProposalForm(fields, seats));
        outcomeOf(() => parseDecisionAction(fields, seats, proposal));
      }),
      { numRuns: 500 },
    );
  });

  it('keep accepted nominees as typed, and accept their own output again unchanged', () => {
    fc.assert(
      fc.property(nominees, letters(0, 40), (people, text) => {
        const form = parseProposalForm({ ...nomineeFields(people), text }, seats);
        expect(form.nominees).toEqual(people);
        expect(form.text).toBe(text.trim());
        expect(parseProposalForm({ ...nomineeFields(form.nominees), text: form.text }, seats)).toEqual(form);
      }),
      { numRuns: 300 },
    );
  });

  it('keep names as NFC whatever the form they were typed in, and never store controls or bidi overrides', () => {
    const decomposable = fc.constantFrom('Elomäki', 'Åkerlund', 'Mäkelä-Öhman', 'Ülle Kõiv');
    fc.assert(
      fc.property(decomposable, fc.constantFrom<'NFC' | 'NFD'>('NFC', 'NFD'), (name, form) => {
        const fields = nomineeFields([{ name: name.normalize(form), title: 'x', email: 'a@b.example' }]);
        const parsed = outcomeOf(() => parseProposalForm(fields, seats));
        expect(parsed).not.toBeInstanceOf(ValidationError);
        if (!(parsed instanceof ValidationError))
          expect(parsed.nominees[0]?.name).toBe(name.normalize('NFC'));
      }),
    );
    fc.assert(
      fc.property(
        personName,
        fc.constantFrom('\u0000', '\u0007', '\u0085', '\u202e', '\u2066', '\u2069'),
        (name, bad) => {
          const fields = nomineeFields([{ name: `${name}${bad}x`, title: 'x', email: 'a@b.example' }]);
          const parsed = outcomeOf(() => parseProposalForm(fields, seats));
          expect(parsed).toBeInstanceOf(ValidationError);
        },
      ),
    );
  });

  it('record an adopted decision with the date in either form and the section with or without §', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: 1, max: 9999 }), fc.boolean(), (date, section, finnish) => {
        const [y, m, d] = date.split('-').map(Number);
        const typed = finnish ? `${d}.${m}.${y}` : date;
        const action = parseDecisionAction(
          { outcome: 'adopted', meetingDate: typed, section: `§ ${section}`, text: '' },
          seats,
          liperiProposal(),
        );
        expect(action.kind).toBe('adopted');
        if (action.kind !== 'adopted') return;
        expect(action.form).toMatchObject({
          meetingDate: date,
          section: String(section),
          text: ADOPTED_TEXT,
        });
        expect(action.form.nominees).toEqual(liperiProposal().nominees);
      }),
      { numRuns: 200 },
    );
  });

  it('read a calendar date back as the same date, and no impossible date at all', () => {
    fc.assert(
      fc.property(isoDate, (date) => {
        const [y, m, d] = date.split('-').map(Number);
        expect(parseCalendarDate(date)).toBe(date);
        expect(parseCalendarDate(`${d}.${m}.${y}`)).toBe(date);
        expect(
          parseCalendarDate(` ${String(d).padStart(2, '0')}. ${String(m).padStart(2, '0')}. ${y}. `),
        ).toBe(date);
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 29, max: 40 }),
        (y, m, d) => {
          const real = new Date(Date.UTC(y, m - 1, d)).getUTCMonth() === m - 1;
          expect(parseCalendarDate(`${d}.${m}.${y}`) !== undefined).toBe(real);
        },
      ),
    );
  });

  it('limit every one-line field at its maximum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (extra) => {
        const name = `E${'e'.repeat(LIMITS.name - 1 + extra)}`;
        const error = outcomeOf(() =>
          parseProposalForm(nomineeFields([{ name, title: 'x', email: 'a@b.example' }]), seats),
        );
        expect(error).toBeInstanceOf(ValidationError);
      }),
      { numRuns: 20 },
    );
  });
});

// ---------------------------------------------------------------------------------

describe('Finnish genitives (property)', () => {
  it('never throw and always give text, whatever the text (Object.prototype’s names included)', () => {
    const prototypeNames = fc.constantFrom(
      'constructor',
      'Constructor',
      'toString',
      '__proto__',
      'hasOwnProperty',
      'valueOf',
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), prototypeNames), (text) => {
        expect(typeof genitive(text)).toBe('string');
        expect(typeof phraseGenitive(text)).toBe('string');
        expect(typeof municipalityGenitive(text)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('end in n for every word of Finnish letters, keep its first letter and grow by at most three', () => {
    fc.assert(
      fc.property(letters(1, 15), (word) => {
        const g = genitive(word);
        expect(g.endsWith('n')).toBe(true);
        expect(g.charAt(0)).toBe(word.charAt(0));
        expect(g.length).toBeGreaterThanOrEqual(word.length);
        expect(g.length).toBeLessThanOrEqual(word.length + 3);
      }),
      { numRuns: 1000 },
    );
  });

  it('keep a capital initial, capitals throughout, and inflect only the last part of a hyphenated word', () => {
    fc.assert(
      fc.property(capitalised, capitalised, (a, b) => {
        expect(genitive(a).charAt(0)).toBe(a.charAt(0));
        expect(genitive(a.toUpperCase())).toBe(genitive(a).toUpperCase());
        expect(genitive(`${a}-${b}`)).toBe(`${a}-${genitive(b)}`);
      }),
      { numRuns: 500 },
    );
  });

  it('inflect only the last word of a phrase', () => {
    fc.assert(
      fc.property(fc.array(capitalised, { minLength: 1, maxLength: 4 }), (words) => {
        const phrase = words.join(' ');
        const last = words.at(-1) as string;
        expect(phraseGenitive(phrase)).toBe([...words.slice(0, -1), genitive(last)].join(' '));
      }),
    );
  });
});

// ---------------------------------------------------------------------------------

/** Instants from 2000 to 2060, at any time of day. */
const instant = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2060, 0, 1) })
  .map((ms) => new Date(ms));
const method = fc.constantFrom('email' as const, 'letter' as const, 'public-network' as const);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(b) - Date.parse(a)) / DAY_MS);

describe('deadlines (property)', () => {
  it('the correction deadline is a working day, no earlier than receipt + 14 days, and only holidays later', () => {
    fc.assert(
      fc.property(instant, method, (sent, how) => {
        const dates = appealDates(sent, how);
        expect(dates.sentOn).toBe(helsinkiDate(sent));
        expect(daysBetween(dates.sentOn, dates.deemedReceivedOn)).toBe(how === 'email' ? 3 : 7);
        expect(isWorkingDay(dates.correctionDeadline)).toBe(true);
        const late = daysBetween(
          addDays(dates.deemedReceivedOn, CORRECTION_PERIOD_DAYS),
          dates.correctionDeadline,
        );
        expect(late).toBeGreaterThanOrEqual(0);
        // Every day skipped is a day off: the deadline is the first working day from there.
        for (let i = 0; i < late; i++) {
          expect(isWorkingDay(addDays(dates.deemedReceivedOn, CORRECTION_PERIOD_DAYS + i))).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('is monotonic: a later sending never gives an earlier deadline', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: 0, max: 60 }), method, (sent, later, how) => {
        const first = appealDates(sent, how).correctionDeadline;
        const second = appealDates(addDays(sent, later), how).correctionDeadline;
        expect(second >= first).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('shows names publicly through the last day of the period and never again after it', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: 0, max: 60 }), (published, after) => {
        const today = addDays(published, after);
        const last = appealDates(published, 'public-network').correctionDeadline;
        expect(personalDataPublicOn(published, today)).toBe(today <= last);
        if (!personalDataPublicOn(published, today)) {
          expect(personalDataPublicOn(published, addDays(today, 1))).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('an answer deadline ends on the last second of its Helsinki day', () => {
    fc.assert(
      fc.property(isoDate, (deadline) => {
        const end = answerDeadline({ ...liperiRound(), deadline });
        expect(helsinkiDate(end)).toBe(deadline);
        expect(helsinkiDate(new Date(end.getTime() + 1000))).toBe(addDays(deadline, 1));
      }),
      { numRuns: 500 },
    );
  });

  it('reminders fall strictly before the deadline, at 08:00 Helsinki time, in order, once per day given', () => {
    fc.assert(
      fc.property(instant, fc.array(fc.integer({ min: -3, max: 70 }), { maxLength: 6 }), (deadline, days) => {
        const schedule = reminderSchedule(deadline, days);
        const times = schedule.map((r) => r.at.getTime());
        expect(times.every((t) => t < deadline.getTime())).toBe(true);
        expect(times.every((t, i) => i === 0 || (times[i - 1] as number) < t)).toBe(true);
        expect(new Set(schedule.map((r) => r.daysBefore)).size).toBe(schedule.length);
        for (const r of schedule) {
          expect(days).toContain(r.daysBefore);
          expect(r.daysBefore).toBeGreaterThan(0);
          expect(r.at.getTime()).toBe(helsinkiInstant(helsinkiDate(r.at), '08:00:00').getTime());
          expect(daysBetween(helsinkiDate(r.at), helsinkiDate(deadline))).toBe(r.daysBefore);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a wait wakes after now and no later than the deadline; a reminder is due only after the link went out', () => {
    const scenario = fc
      .record({
        deadline: instant,
        before: fc.integer({ min: -5 * DAY_MS, max: 40 * DAY_MS }),
        sentBefore: fc.option(fc.integer({ min: 0, max: 40 * DAY_MS }), { nil: undefined }),
        days: fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 4 }),
      })
      .map((s) => {
        const now = new Date(s.deadline.getTime() - s.before);
        const linkSentAt = s.sentBefore === undefined ? undefined : new Date(now.getTime() - s.sentBefore);
        return { ...s, now, linkSentAt };
      });
    fc.assert(
      fc.property(scenario, ({ deadline, now, linkSentAt, days }) => {
        const plan = planWait({ now, deadline, reminderDays: days, linkSentAt });
        expect(plan.expired).toBe(now.getTime() >= deadline.getTime());
        if (plan.expired) return;
        expect(plan.wakeAt.getTime()).toBeGreaterThan(now.getTime());
        expect(plan.wakeAt.getTime()).toBeLessThanOrEqual(deadline.getTime());
        if (plan.due) {
          expect(linkSentAt).toBeDefined();
          expect(plan.due.at.getTime()).toBeLessThanOrEqual(now.getTime());
          expect(plan.due.at.getTime()).toBeGreaterThan(linkSentAt?.getTime() ?? Number.POSITIVE_INFINITY);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('moves every reminder later, never earlier, when the deadline moves later (monotonic)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 60 * DAY_MS }), (deadline, more) => {
        const later = new Date(deadline.getTime() + more);
        const first = reminderSchedule(deadline, [14, 7, 2]);
        const second = reminderSchedule(later, [14, 7, 2]);
        expect(second.map((r) => r.daysBefore)).toEqual(first.map((r) => r.daysBefore));
        second.forEach((r, i) => {
          expect(r.at.getTime()).toBeGreaterThanOrEqual(first[i]?.at.getTime() ?? 0);
        });
      }),
      { numRuns: 500 },
    );
  });
});
