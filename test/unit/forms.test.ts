import { describe, expect, it } from 'vitest';
import { type FieldError, ValidationError } from '../../functions/domain/errors.ts';
import {
  ADOPTED_TEXT,
  LIMITS,
  MESSAGES,
  parseApprovalForm,
  parseCalendarDate,
  parseDecisionForm,
  parseProposalForm,
} from '../../functions/domain/forms.ts';
import type { Person } from '../../functions/domain/types.ts';
import { liperiNominees, liperiProposal, liperiRound } from '../fixtures/liperi.ts';

const seats = liperiRound().seats;

/** The form fields a browser posts for these people, row by row. */
function nomineeFields(people: readonly Person[]): Record<string, string> {
  const fields: Record<string, string> = {};
  people.forEach((p, i) => {
    fields[`nominees.${i}.name`] = p.name;
    fields[`nominees.${i}.title`] = p.title;
    fields[`nominees.${i}.email`] = p.email;
    fields[`nominees.${i}.phone`] = p.phone ?? '';
  });
  return fields;
}

/** Runs `act`, expects a ValidationError and returns its field errors. */
function fieldErrorsOf(act: () => unknown): FieldError[] {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).fieldErrors;
  }
  throw new Error('expected a ValidationError');
}

function decisionFields(extra: Record<string, string> = {}): Record<string, string> {
  return { outcome: 'adopted', meetingDate: '2023-11-14', section: '87', text: ADOPTED_TEXT, ...extra };
}

describe('parseProposalForm', () => {
  it('parses the four Liperi nominees and the proposal text as typed', () => {
    // prepare: the minute's nominees with surrounding spaces, the way people paste
    const fields = nomineeFields(liperiNominees());
    fields['nominees.0.name'] = '  Eeva   Elomäki ';
    fields.text = '  Hyvinvointilautakunta nimeää …  ';

    // act
    const form = parseProposalForm(fields, seats);

    // assess: trimmed values, phone kept only where given
    expect(form.nominees).toEqual(liperiNominees());
    expect(form.text).toBe('Hyvinvointilautakunta nimeää …');
  });

  it('skips blank rows, also rows of spaces, wherever they are', () => {
    // prepare: nominees in rows 1 and 3, rows 0 and 2 blank
    const [eeva, reetta] = liperiNominees();
    const fields = { ...nomineeFields([{ name: '', title: '', email: '' }, eeva as Person]) };
    Object.assign(fields, { 'nominees.2.name': '   ', 'nominees.2.email': '\t' });
    Object.assign(fields, {
      'nominees.3.name': reetta?.name,
      'nominees.3.title': reetta?.title,
      'nominees.3.email': reetta?.email,
    });

    // act
    const form = parseProposalForm(fields, seats);

    // assess
    expect(form.nominees.map((p) => p.name)).toEqual(['Eeva Elomäki', 'Reetta Partanen']);
  });

  it('returns an empty text when the preparer cleared the text box, for the caller to fill in', () => {
    // prepare
    const fields = { ...nomineeFields(liperiNominees()), text: ' \r\n ' };

    // act
    const form = parseProposalForm(fields, seats);

    // assess
    expect(form.text).toBe('');
  });

  it('keeps line breaks and tabs of the text, turning CRLF into LF', () => {
    // prepare
    const fields = { ...nomineeFields(liperiNominees()), text: 'Ensimmäinen.\r\n\r\n\tToinen.' };

    // act
    const form = parseProposalForm(fields, seats);

    // assess
    expect(form.text).toBe('Ensimmäinen.\n\n\tToinen.');
  });

  it('names each missing part of a partly filled row', () => {
    // prepare: row 1 has only a phone number
    const fields = { ...nomineeFields(liperiNominees().slice(0, 1)), 'nominees.1.phone': '040 123 4567' };

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([
      { field: 'nominees.1.name', message: MESSAGES.nameMissing },
      { field: 'nominees.1.title', message: MESSAGES.titleMissing },
      { field: 'nominees.1.email', message: MESSAGES.emailMissing },
    ]);
  });

  it.each([
    'eeva.elomaki@liperi.fi',
    'Eeva.Elomaki@Liperi.FI',
    'eeva+kumppanuus@liperi.fi',
    "o'brien@esimerkki.example",
    'eeva@mail.liperi.fi',
    'eeva@xn--rkkyl-graa.fi',
  ])('accepts the e-mail address %s', (email) => {
    // prepare
    const fields = nomineeFields([{ name: 'Eeva Elomäki', title: 'koordinaattori', email }]);

    // act
    const form = parseProposalForm(fields, seats);

    // assess
    expect(form.nominees[0]?.email).toBe(email);
  });

  it.each([
    'eeva',
    'eeva@',
    '@liperi.fi',
    'eeva@liperi',
    'eeva@liperi.f',
    'eeva..elomaki@liperi.fi',
    '.eeva@liperi.fi',
    'eeva elomaki@liperi.fi',
    'Eeva Elomäki <eeva@liperi.fi>',
    'eeva@-liperi.fi',
    'eeva@liperi..fi',
    'eeva@liperi.fi.',
    'eeva@@liperi.fi',
    'eevä@liperi.fi',
    `${'e'.repeat(65)}@liperi.fi`,
  ])('refuses the e-mail address %s with a message the official understands', (email) => {
    // prepare
    const fields = nomineeFields([{ name: 'Eeva Elomäki', title: 'koordinaattori', email }]);

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'nominees.0.email', message: 'Sähköpostiosoite ei ole kelvollinen.' }]);
  });

  it.each(['040 834 7185', '+358 40 834 7185', '(013) 123-456'])('accepts the phone number %s', (phone) => {
    // prepare
    const fields = nomineeFields([{ ...(liperiNominees()[0] as Person), phone }]);

    // act
    const form = parseProposalForm(fields, seats);

    // assess
    expect(form.nominees[0]?.phone).toBe(phone);
  });

  it.each(['p. 040 834 7185', '040/834 7185', '12 34', '+'])('refuses the phone number %s', (phone) => {
    // prepare
    const fields = nomineeFields([{ ...(liperiNominees()[0] as Person), phone }]);

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'nominees.0.phone', message: MESSAGES.phoneInvalid }]);
  });

  it('refuses a name without letters', () => {
    // prepare
    const fields = nomineeFields([{ ...(liperiNominees()[0] as Person), name: '1234' }]);

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'nominees.0.name', message: MESSAGES.nameInvalid }]);
  });

  it('asks for at least one nominee when every row is blank', () => {
    // prepare: a form with blank rows and a text
    const fields = { ...nomineeFields([{ name: '', title: '', email: '' }]), text: 'Teksti' };

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'nominees', message: 'Ehdota vähintään 1 ja enintään 4 henkilöä.' }]);
  });

  it('refuses a fifth nominee row when four seats is the maximum', () => {
    // prepare
    const fields = nomineeFields([
      ...liperiNominees(),
      { name: 'Viides Henkilö', title: 'suunnittelija', email: 'viides@liperi.example' },
    ]);

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'nominees', message: 'Ehdota vähintään 1 ja enintään 4 henkilöä.' }]);
  });

  it('does not drop silently a row posted beyond the rendered rows, even within the count', () => {
    // prepare: one nominee in row 0 and a crafted row 9
    const fields = {
      ...nomineeFields(liperiNominees().slice(0, 1)),
      'nominees.9.name': 'Piilotettu',
      'nominees.9.title': 'x',
      'nominees.9.email': 'p@liperi.example',
    };

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors.map((e) => e.field)).toEqual(['nominees']);
  });

  it('words the count message for a fixed number of seats', () => {
    // prepare
    const fields = nomineeFields(liperiNominees());

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, { min: 2, max: 2 }));

    // assess
    expect(errors).toEqual([{ field: 'nominees', message: 'Ehdota 2 henkilöä.' }]);
  });

  it('refuses the same e-mail twice whatever its case, on the later row', () => {
    // prepare
    const [eeva, reetta] = liperiNominees() as [Person, Person];
    const fields = nomineeFields([eeva, { ...reetta, email: eeva.email.toUpperCase() }]);

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'nominees.1.email', message: 'Sama henkilö on ehdotettu kahdesti.' }]);
  });

  it('refuses the same name twice, also written with other spacing and case', () => {
    // prepare
    const [eeva, reetta] = liperiNominees() as [Person, Person];
    const fields = nomineeFields([eeva, { ...reetta, name: ' eeva  ELOMÄKI' }]);

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'nominees.1.name', message: MESSAGES.duplicate }]);
  });

  it('treats "ä" typed as a and a combining mark like "ä" when looking for duplicates', () => {
    // prepare: the second name in decomposed form (NFD), as some systems paste it
    const [eeva, reetta] = liperiNominees() as [Person, Person];
    const fields = nomineeFields([eeva, { ...reetta, name: eeva.name.normalize('NFD') }]);

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'nominees.1.name', message: MESSAGES.duplicate }]);
  });

  it.each([
    ['name', LIMITS.name],
    ['title', LIMITS.title],
    ['phone', LIMITS.phone],
  ] as const)('refuses a %s longer than %i characters', (part, max) => {
    // prepare
    const person = { ...(liperiNominees()[0] as Person) };
    person[part] = part === 'phone' ? '1'.repeat(max + 1) : 'a'.repeat(max + 1);
    const fields = nomineeFields([person]);

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: `nominees.0.${part}`, message: `Kirjoita enintään ${max} merkkiä.` }]);
  });

  it('accepts names and texts exactly at their limits', () => {
    // prepare
    const fields = {
      ...nomineeFields([{ name: 'a'.repeat(LIMITS.name), title: 't'.repeat(LIMITS.title), email: 'a@b.fi' }]),
      text: 'x'.repeat(LIMITS.text),
    };

    // act
    const form = parseProposalForm(fields, seats);

    // assess
    expect(form.text).toHaveLength(LIMITS.text);
  });

  it('refuses an e-mail address longer than 254 characters', () => {
    // prepare: 64-character local part and a long but well-formed domain
    const email = `${'e'.repeat(64)}@${Array.from({ length: 4 }, () => 'd'.repeat(60)).join('.')}.fi`;
    const fields = nomineeFields([{ ...(liperiNominees()[0] as Person), email }]);

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'nominees.0.email', message: 'Kirjoita enintään 254 merkkiä.' }]);
  });

  it('refuses a proposal text longer than 5,000 characters, counting a CRLF as one', () => {
    // prepare
    const ok = { ...nomineeFields(liperiNominees()), text: 'x\r\n'.repeat(2500) };
    const tooLong = { ...nomineeFields(liperiNominees()), text: 'x'.repeat(LIMITS.text + 1) };

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(tooLong, seats));

    // assess
    expect(parseProposalForm(ok, seats).text).toHaveLength(4999);
    expect(errors).toEqual([{ field: 'text', message: 'Kirjoita enintään 5000 merkkiä.' }]);
  });

  it.each([
    ['a NUL', 'Eeva\u0000 Elomäki'],
    ['an escape', 'Eeva\u001b[31m Elomäki'],
    ['a C1 control', 'Eeva\u0085Elomäki'],
    ['a right-to-left override', 'Eeva \u202eikämolE'],
    ['a lone surrogate', 'Eeva \ud800Elomäki'],
  ])('refuses %s in a name', (_what, name) => {
    // prepare
    const fields = nomineeFields([{ ...(liperiNominees()[0] as Person), name }]);

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'nominees.0.name', message: MESSAGES.unsupportedCharacters }]);
  });

  it('turns a line break or tab pasted into a name into a space', () => {
    // prepare
    const fields = nomineeFields([{ ...(liperiNominees()[0] as Person), name: 'Eeva\r\n\tElomäki' }]);

    // act
    const form = parseProposalForm(fields, seats);

    // assess
    expect(form.nominees[0]?.name).toBe('Eeva Elomäki');
  });

  it('refuses a NUL in the proposal text but not its line breaks and tabs', () => {
    // prepare
    const fields = { ...nomineeFields(liperiNominees()), text: 'Rivi\n\tsisennetty\u0000' };

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors).toEqual([{ field: 'text', message: MESSAGES.unsupportedCharacters }]);
  });

  it('reports several problems at once, in the order of the form', () => {
    // prepare: a duplicate, a bad e-mail, a missing title and an over-long text
    const [eeva, reetta, sami] = liperiNominees() as [Person, Person, Person];
    const fields = {
      ...nomineeFields([
        eeva,
        { ...reetta, email: 'reetta(at)liperi.fi' },
        { ...sami, name: eeva.name, title: '' },
      ]),
      text: 'x'.repeat(LIMITS.text + 1),
    };

    // act
    const errors = fieldErrorsOf(() => parseProposalForm(fields, seats));

    // assess
    expect(errors.map((e) => e.field)).toEqual([
      'nominees.1.email',
      'nominees.2.name',
      'nominees.2.title',
      'text',
    ]);
    expect(errors[1]?.message).toBe(MESSAGES.duplicate);
  });

  it('ignores fields it does not know, including ones named like Object properties', () => {
    // prepare
    const fields = {
      ...nomineeFields(liperiNominees()),
      constructor: 'x',
      'nominees.0.extra': 'y',
      csrf: 'z',
    };

    // act
    const form = parseProposalForm(fields, seats);

    // assess
    expect(form.nominees).toHaveLength(4);
  });

  it('never throws anything but a ValidationError, whatever is typed', () => {
    // prepare: a deterministic generator of awkward strings
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const alphabet = [
      'a',
      'ä',
      '@',
      '.',
      ' ',
      '\u0000',
      '\n',
      '\r',
      '\u202e',
      '\ud800',
      '<',
      '§',
      '1',
      '-',
      '😀',
    ];
    const randomString = () =>
      Array.from({ length: next() % 12 }, () => alphabet[next() % alphabet.length]).join('');
    const names = ['name', 'title', 'email', 'phone'];

    for (let round = 0; round < 300; round++) {
      const fields: Record<string, string> = { text: randomString(), outcome: randomString() };
      for (let i = 0; i < 5; i++) for (const n of names) fields[`nominees.${i}.${n}`] = randomString();
      fields.meetingDate = randomString();
      fields.section = randomString();

      // act
      const attempts = [
        () => parseProposalForm(fields, seats),
        () => parseDecisionForm({ ...fields, outcome: 'adopted_with_changes' }, seats, liperiProposal()),
        () => parseApprovalForm(fields),
      ];

      // assess
      for (const attempt of attempts) {
        try {
          attempt();
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }
    }
  });
});

describe('parseDecisionForm', () => {
  it('records an adopted proposal with the proposal nominees and the standard decision text', () => {
    // prepare: the secretary cleared the text and wrote the date and § the Finnish way
    const fields = decisionFields({ meetingDate: '14.11.2023', section: '§ 87', text: '' });

    // act
    const decision = parseDecisionForm(fields, seats, liperiProposal());

    // assess
    expect(decision).toEqual({
      outcome: 'adopted',
      meetingDate: '2023-11-14',
      section: '87',
      text: 'Hyväksyttiin päätösehdotus.',
      nominees: liperiNominees(),
    });
  });

  it('ignores the nominee rows when the proposal was adopted as it was, even broken ones', () => {
    // prepare
    const fields = decisionFields({ 'nominees.0.email': 'rikki', 'nominees.3.name': '' });

    // act
    const decision = parseDecisionForm(fields, seats, liperiProposal());

    // assess
    expect(decision.nominees).toEqual(liperiNominees());
  });

  it('keeps a decision text the secretary wrote for an adopted proposal', () => {
    // prepare
    const fields = decisionFields({ text: 'Hyväksyttiin päätösehdotus yksimielisesti.' });

    // act
    const decision = parseDecisionForm(fields, seats, liperiProposal());

    // assess
    expect(decision.text).toBe('Hyväksyttiin päätösehdotus yksimielisesti.');
  });

  it.each([
    ['2023-11-14', '2023-11-14'],
    ['14.11.2023', '2023-11-14'],
    ['1.2.2024', '2024-02-01'],
    ['01.02.2024.', '2024-02-01'],
    [' 29. 2. 2024 ', '2024-02-29'],
  ])('reads the meeting date %s as %s', (typed, iso) => {
    // prepare
    const fields = decisionFields({ meetingDate: typed });

    // act
    const decision = parseDecisionForm(fields, seats, liperiProposal());

    // assess
    expect(decision.meetingDate).toBe(iso);
  });

  it.each(['29.2.2023', '2023-02-30', '2023-13-01', '14.11.23', '14/11/2023', 'eilen', '2023-1-5'])(
    'refuses the meeting date %s',
    (typed) => {
      // prepare
      const fields = decisionFields({ meetingDate: typed });

      // act
      const errors = fieldErrorsOf(() => parseDecisionForm(fields, seats, liperiProposal()));

      // assess
      expect(errors).toEqual([{ field: 'meetingDate', message: MESSAGES.meetingDateInvalid }]);
    },
  );

  it('asks for the meeting date when it is missing', () => {
    // prepare
    const { meetingDate: _omitted, ...fields } = decisionFields();

    // act
    const errors = fieldErrorsOf(() => parseDecisionForm(fields, seats, liperiProposal()));

    // assess
    expect(errors).toEqual([{ field: 'meetingDate', message: 'Kirjoita kokouksen päivämäärä.' }]);
  });

  it.each([
    ['87 §', '87'],
    ['§87', '87'],
    ['0012', '0012'],
  ])('reads the section %s as %s', (typed, section) => {
    // prepare
    const fields = decisionFields({ section: typed });

    // act
    const decision = parseDecisionForm(fields, seats, liperiProposal());

    // assess
    expect(decision.section).toBe(section);
  });

  it.each(['87a', '8.7', '12345678901', '-1'])('refuses the section %s', (typed) => {
    // prepare
    const fields = decisionFields({ section: typed });

    // act
    const errors = fieldErrorsOf(() => parseDecisionForm(fields, seats, liperiProposal()));

    // assess
    expect(errors).toEqual([{ field: 'section', message: MESSAGES.sectionInvalid }]);
  });

  it('asks for the section when only "§" was typed', () => {
    // prepare
    const fields = decisionFields({ section: ' § ' });

    // act
    const errors = fieldErrorsOf(() => parseDecisionForm(fields, seats, liperiProposal()));

    // assess
    expect(errors).toEqual([{ field: 'section', message: MESSAGES.sectionMissing }]);
  });

  it.each(['', 'rejected', 'ADOPTED'])('asks to choose the outcome when it is "%s"', (outcome) => {
    // prepare
    const fields = decisionFields({ outcome });

    // act
    const errors = fieldErrorsOf(() => parseDecisionForm(fields, seats, liperiProposal()));

    // assess
    expect(errors).toEqual([{ field: 'outcome', message: MESSAGES.outcomeMissing }]);
  });

  it('records a decision with changes with the committee’s own nominee list', () => {
    // prepare: the committee replaced Sami Kuikka with another person
    const changed = liperiNominees();
    changed[2] = { name: 'Matti Meikäläinen', title: 'nuorisotyöntekijä', email: 'matti@liperi.example' };
    const fields = decisionFields({
      outcome: 'adopted_with_changes',
      text: 'Hyväksyttiin muutettuna: Sami Kuikan tilalle nimettiin Matti Meikäläinen.',
      ...nomineeFields(changed),
    });

    // act
    const decision = parseDecisionForm(fields, seats, liperiProposal());

    // assess
    expect(decision.outcome).toBe('adopted_with_changes');
    expect(decision.nominees).toEqual(changed);
  });

  it.each(['', ADOPTED_TEXT])('asks for the decision text with changes when it is "%s"', (text) => {
    // prepare
    const changed = liperiNominees().slice(0, 3);
    const fields = decisionFields({ outcome: 'adopted_with_changes', text, ...nomineeFields(changed) });

    // act
    const errors = fieldErrorsOf(() => parseDecisionForm(fields, seats, liperiProposal()));

    // assess
    expect(errors).toEqual([{ field: 'text', message: MESSAGES.decisionTextMissing }]);
  });

  it('refuses "adopted with changes" when the nominees are the proposal’s, in any order', () => {
    // prepare
    const fields = decisionFields({
      outcome: 'adopted_with_changes',
      text: 'Hyväksyttiin muutettuna.',
      ...nomineeFields(liperiNominees().reverse()),
    });

    // act
    const errors = fieldErrorsOf(() => parseDecisionForm(fields, seats, liperiProposal()));

    // assess
    expect(errors).toEqual([{ field: 'nominees', message: MESSAGES.nomineesUnchanged }]);
  });

  it('applies the nominee rules and seat limits to the changed list', () => {
    // prepare: the changed list has no one in it
    const fields = decisionFields({ outcome: 'adopted_with_changes', text: 'Ei nimetty ketään.' });

    // act
    const errors = fieldErrorsOf(() => parseDecisionForm(fields, seats, liperiProposal()));

    // assess
    expect(errors).toEqual([{ field: 'nominees', message: 'Ehdota vähintään 1 ja enintään 4 henkilöä.' }]);
  });

  it('reports several problems at once', () => {
    // prepare
    const fields = {
      outcome: 'adopted_with_changes',
      meetingDate: '31.2.2024',
      section: 'kahdeksan',
      text: '',
      'nominees.0.name': 'Eeva Elomäki',
    };

    // act
    const errors = fieldErrorsOf(() => parseDecisionForm(fields, seats, liperiProposal()));

    // assess
    expect(errors.map((e) => e.field)).toEqual([
      'meetingDate',
      'section',
      'text',
      'nominees.0.title',
      'nominees.0.email',
    ]);
  });
});

describe('parseApprovalForm and parseCalendarDate', () => {
  it('accepts the approval button', () => {
    // prepare
    const fields = { action: 'approve' };

    // act
    const form = parseApprovalForm(fields);

    // assess
    expect(form).toEqual({ action: 'approve' });
  });

  it.each([{}, { action: '' }, { action: 'reject' }])(
    'refuses an approval post without action=approve (%o)',
    (fields) => {
      // act
      const errors = fieldErrorsOf(() => parseApprovalForm(fields));

      // assess
      expect(errors).toEqual([{ field: 'action', message: MESSAGES.actionInvalid }]);
    },
  );

  it('tells a real calendar date from a rolled-over one', () => {
    // act + assess
    expect(parseCalendarDate('2024-02-29')).toBe('2024-02-29');
    expect(parseCalendarDate('2023-02-29')).toBeUndefined();
    expect(parseCalendarDate('0099-01-01')).toBeUndefined();
  });
});
