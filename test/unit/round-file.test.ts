import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { FieldError } from '../../functions/domain/errors.ts';
import { RoundFileError } from '../../functions/domain/errors.ts';
import { parseRoundFile, roundFileJsonSchema } from '../../functions/domain/round-file.ts';

const examplePath = new URL('../../examples/pohjois-karjala-2024.yaml', import.meta.url);
const schemaPath = new URL('../../examples/round.schema.json', import.meta.url);
const exampleYaml = readFileSync(examplePath, 'utf8');

/** The field errors a file produces; none when it parses. */
function problemsIn(text: string, format?: 'yaml' | 'json'): FieldError[] {
  try {
    parseRoundFile(text, format);
    return [];
  } catch (error) {
    if (!(error instanceof RoundFileError)) throw error;
    return error.fieldErrors;
  }
}

/**
 * The field errors of the example after `changes`, each keyed by a field path written like the
 * reported ones (`municipalities[4].registryEmail`); the value `undefined` removes the field.
 */
function problemsWith(changes: Record<string, unknown>): FieldError[] {
  const file: unknown = parseYaml(exampleYaml);
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.match(/[^.[\]]+/g) ?? [];
    const last = keys.pop() ?? '';
    let target = file as Record<string, unknown>;
    for (const key of keys) target = target[key] as Record<string, unknown>;
    if (value === undefined) Reflect.deleteProperty(target, last);
    else target[last] = value;
  }
  return problemsIn(JSON.stringify(file), 'json');
}

/** The example with its first occurrence of `from` replaced: for YAML-only situations. */
const exampleWith = (from: string, to: string): string => {
  expect(exampleYaml).toContain(from);
  return exampleYaml.replace(from, to);
};

describe('the example round file', () => {
  it('parses to the 13 North Karelian municipalities with Liperi as in the minute', () => {
    const round = parseRoundFile(exampleYaml);

    expect(round.municipalities).toHaveLength(13);
    const liperi = round.municipalities.find((m) => m.id === 'liperi');
    const welfareDirector = {
      name: 'Riitta Lappalainen',
      title: 'hyvinvointijohtaja',
      email: 'riitta.lappalainen@liperi.example',
      phone: '040 834 7185',
    };
    expect(liperi?.presenter).toEqual(welfareDirector);
    expect(liperi?.preparer).toEqual(welfareDirector);
    expect(liperi?.body.name).toBe('hyvinvointilautakunta');
    expect(round.organiser.name).toBe('Pohjois-Karjalan hyvinvointialue');
    expect([round.requestDate, round.deadline, round.startDate]).toEqual([
      '2023-10-02',
      '2023-11-30',
      '2024-01-01',
    ]);
    expect(round.caseText).toContain('612/2021');
    expect(round.caseText).toMatch(/1–4 työntekijää\. Ryhmät aloittavat toimintansa vuoden 2024 alussa/);
  });

  it('puts every municipality into exactly one group, listed as municipalityIds', () => {
    const round = parseRoundFile(exampleYaml);

    const grouped = round.groups.flatMap((g) => g.municipalityIds);

    expect(grouped.toSorted()).toEqual(round.municipalities.map((m) => m.id).toSorted());
    expect(round.groups.map((g) => g.id)).toEqual(['joensuun-seutu', 'keski-karjala', 'pielisen-karjala']);
  });

  it('gives the same round whether written as YAML or as JSON', () => {
    const asJson = JSON.stringify(parseYaml(exampleYaml), null, 2);

    const fromJson = parseRoundFile(asJson);

    expect(fromJson).toEqual(parseRoundFile(exampleYaml, 'yaml'));
  });

  it('matches the checked-in JSON Schema (regenerate examples/round.schema.json from roundFileJsonSchema())', () => {
    const checkedIn = JSON.parse(readFileSync(schemaPath, 'utf8'));

    expect(checkedIn).toEqual(roundFileJsonSchema());
  });
});

describe('reading a round file', () => {
  it('defaults the seats to 1–4 and the meetings to four a year', () => {
    const file = parseYaml(exampleYaml);
    delete file.seats;
    delete file.meetingsPerYear;

    const round = parseRoundFile(JSON.stringify(file));

    expect(round.seats).toEqual({ min: 1, max: 4 });
    expect(round.meetingsPerYear).toBe(4);
  });

  it('defaults a missing seat limit on its own', () => {
    const round = parseRoundFile(exampleWith('seats: { min: 1, max: 4 }', 'seats: { max: 2 }'));

    expect(round.seats).toEqual({ min: 1, max: 2 });
  });

  it('trims the strings and ignores a JSON $schema reference', () => {
    const file = { ...parseYaml(exampleYaml), $schema: './round.schema.json', title: '  Nimeäminen \n' };

    const round = parseRoundFile(`\n  ${JSON.stringify(file)}`);

    expect(round.title).toBe('Nimeäminen');
    expect(round).not.toHaveProperty('$schema');
  });

  it('accepts a byte order mark and Windows line endings', () => {
    const round = parseRoundFile(`\uFEFF${exampleYaml.replaceAll('\n', '\r\n')}`);

    expect(round.caseText).not.toContain('\r');
    expect(round.municipalities).toHaveLength(13);
  });

  it('throws a RoundFileError, named for Step Functions', () => {
    expect(() => parseRoundFile('id: x')).toThrow(RoundFileError);
    expect(() => parseRoundFile('id: x')).toThrow(expect.objectContaining({ name: 'RoundFileError' }));
  });
});

describe('syntax and shape of the file', () => {
  it('reports a YAML syntax error with its line and column', () => {
    const text = 'id: pohjois-karjala-2024\ntitle: "Nimeäminen\ncaseText: Tausta\n';

    expect(problemsIn(text)).toEqual([
      { field: '(tiedosto)', message: 'Rivi 4, sarake 1: Sulkeva lainausmerkki puuttuu' },
    ]);
  });

  it('reports a field name without the colon and space after it', () => {
    const text = 'id: pohjois-karjala-2024\ntitle:Nimeäminen\n';

    expect(problemsIn(text)).toEqual([
      {
        field: '(tiedosto)',
        message:
          'Rivi 2, sarake 1: Kentän nimen perästä puuttuu kaksoispiste ja välilyönti (muoto on nimi: arvo)',
      },
    ]);
  });

  it('reports a field indented under the previous one', () => {
    const text = 'id: pohjois-karjala-2024\ntitle: Nimeäminen\n  caseText: Tausta\n';

    expect(problemsIn(text)).toEqual([
      {
        field: '(tiedosto)',
        message: 'Rivi 2, sarake 8: Sisennys on virheellinen tai samalla rivillä on kaksi kenttää',
      },
    ]);
  });

  it('reports a tab used for indentation', () => {
    expect(problemsIn('organiser:\n\tname: x\n')).toEqual([
      { field: '(tiedosto)', message: 'Rivi 2, sarake 1: Sisennyksessä on sarkain; käytä välilyöntejä' },
    ]);
  });

  it('reports a JSON syntax error with its line and column', () => {
    const text = '{\n  "id": "x"\n  "title": "y"\n}';

    expect(problemsIn(text)).toEqual([
      {
        field: '(tiedosto)',
        message: expect.stringMatching(/^Rivi 3, sarake 3: JSON-tiedoston rakenne on virheellinen/),
      },
    ]);
  });

  it('finds the line of a JSON error that V8 reports without a position', () => {
    const text = '{\n  "id": "pohjois-karjala-2024",\n  "title": Nimeäminen\n}';

    expect(problemsIn(text)).toEqual([
      {
        field: '(tiedosto)',
        message: expect.stringMatching(
          /^Rivi 3, sarake 12: JSON-tiedoston rakenne on virheellinen \(Unexpected token 'N'/,
        ),
      },
    ]);
  });

  it('reports a key given twice in YAML', () => {
    const text = 'id: pohjois-karjala-2024\nmeetingsPerYear: 4\nmeetingsPerYear: 6\n';

    expect(problemsIn(text)).toEqual([
      {
        field: '(tiedosto)',
        message: 'Rivi 3, sarake 1: Kenttä "meetingsPerYear" esiintyy kahdesti; poista toinen',
      },
    ]);
  });

  it('reports a key given twice in JSON, which JSON.parse would silently accept', () => {
    expect(problemsIn('{"id": "a",\n "id": "b"}')).toEqual([
      { field: '(tiedosto)', message: 'Rivi 2, sarake 2: Kenttä "id" esiintyy kahdesti; poista toinen' },
    ]);
  });

  it('reports an empty file', () => {
    expect(problemsIn('')).toEqual([{ field: '(tiedosto)', message: 'Tiedosto on tyhjä' }]);
    expect(problemsIn('# vain kommentti\n')).toEqual([{ field: '(tiedosto)', message: 'Tiedosto on tyhjä' }]);
  });

  it('reports a file whose top level is a list', () => {
    expect(problemsIn('- id: x\n')).toEqual([
      {
        field: '(tiedosto)',
        message: 'Tiedoston ylimmän tason pitää olla kierroksen kentät (id, title, …), nyt se on luettelo',
      },
    ]);
  });

  it('reports a second YAML document', () => {
    expect(problemsIn(`${exampleYaml}---\nid: toinen\n`)).toEqual([
      {
        field: '(tiedosto)',
        message: expect.stringContaining('Tiedostossa saa olla vain yksi YAML-dokumentti'),
      },
    ]);
  });

  it('names an unknown field and guesses the intended one', () => {
    expect(problemsWith({ 'municipalities[7].registyEmail': 'kirjaamo@liperi.example' })).toEqual([
      {
        field: 'municipalities[7].registyEmail',
        message: 'Tuntematon kenttä "registyEmail"; tarkoititko "registryEmail"?',
      },
    ]);
  });

  it('lists the allowed fields when an unknown field resembles none', () => {
    expect(problemsWith({ 'seats.average': 2 })).toEqual([
      { field: 'seats.average', message: 'Tuntematon kenttä "average"; sallitut kentät: min, max' },
    ]);
  });
});

describe('required fields and types', () => {
  it('reports a missing required field at its path', () => {
    expect(problemsWith({ 'municipalities[3].registryEmail': undefined })).toEqual([
      { field: 'municipalities[3].registryEmail', message: 'Pakollinen tieto puuttuu' },
    ]);
  });

  it('reports a field left empty in YAML', () => {
    const text = exampleWith('  registryEmail: kirjaamo@siunsote.example', '  registryEmail:');

    expect(problemsIn(text)).toEqual([
      { field: 'organiser.registryEmail', message: 'Arvo puuttuu (kenttä on tyhjä)' },
    ]);
  });

  it('reports a phone number YAML read as a number, which would lose its leading zero', () => {
    const text = exampleWith('phone: 040 834 7185', 'phone: 0408347185');

    expect(problemsIn(text)).toEqual([
      {
        field: 'municipalities[7].preparer.phone',
        message: 'Arvon pitää olla tekstiä, nyt se on luku; kirjoita arvo lainausmerkkeihin',
      },
    ]);
  });

  it('reports a number written as text', () => {
    expect(problemsWith({ meetingsPerYear: '4' })).toEqual([
      { field: 'meetingsPerYear', message: 'Arvon pitää olla luku ilman lainausmerkkejä, nyt se on tekstiä' },
    ]);
  });

  it('reports a list where a structure is expected', () => {
    expect(problemsWith({ 'municipalities[0].body': ['sivistyslautakunta'] })).toEqual([
      {
        field: 'municipalities[0].body',
        message: 'Arvon pitää olla kenttiä sisältävä rakenne, nyt se on luettelo',
      },
    ]);
  });
});

describe('texts and identifiers', () => {
  it('reports an id with capitals or Finnish letters', () => {
    expect(problemsWith({ 'municipalities[11].id': 'Rääkkylä' })).toContainEqual({
      field: 'municipalities[11].id',
      message:
        'Tunnuksessa saa olla vain pieniä kirjaimia a–z, numeroita ja väliviivoja (ei isoja kirjaimia, ääkkösiä eikä välilyöntejä)',
    });
  });

  it('reports an id ending with a hyphen', () => {
    expect(problemsWith({ id: 'pohjois-karjala-' })).toEqual([
      { field: 'id', message: 'Tunnus ei saa alkaa eikä päättyä väliviivaan' },
    ]);
  });

  it('reports an id longer than 40 characters', () => {
    expect(problemsWith({ id: 'a'.repeat(41) })).toEqual([
      { field: 'id', message: 'Tunnus on liian pitkä (41 merkkiä, enintään 40)' },
    ]);
  });

  it('reports a name longer than 200 characters', () => {
    expect(problemsWith({ 'groups[1].name': 'x'.repeat(201) })).toEqual([
      { field: 'groups[1].name', message: 'Teksti on liian pitkä (201 merkkiä, enintään 200 merkkiä)' },
    ]);
  });

  it('reports a name of only spaces as empty', () => {
    expect(problemsWith({ 'organiser.contact.name': '   ' })).toEqual([
      { field: 'organiser.contact.name', message: 'Tieto ei voi olla tyhjä' },
    ]);
  });

  it('reports a line break inside a name', () => {
    expect(problemsWith({ 'municipalities[2].presenter.name': 'Heikki\nHeikäläinen' })).toEqual([
      {
        field: 'municipalities[2].presenter.name',
        message: 'Tekstissä on ohjausmerkkejä (esim. rivinvaihto tai sarkain); kirjoita se yhdelle riville',
      },
    ]);
  });

  it('allows line breaks and tabs in the case text but no other control characters', () => {
    expect(problemsWith({ caseText: 'Tausta.\n\n\tPyyntö.' })).toEqual([]);
    expect(problemsWith({ caseText: 'Tausta.\u0007' })).toEqual([
      {
        field: 'caseText',
        message: 'Tekstissä on ohjausmerkkejä; vain rivinvaihdot ja sarkaimet ovat sallittuja',
      },
    ]);
  });

  it('reports a case text longer than 20 000 characters', () => {
    expect(problemsWith({ caseText: 'x'.repeat(20_001) })).toEqual([
      { field: 'caseText', message: 'Teksti on liian pitkä (20001 merkkiä, enintään 20000 merkkiä)' },
    ]);
  });
});

describe('e-mail addresses and phone numbers', () => {
  it('reports an address without @', () => {
    expect(problemsWith({ 'municipalities[4].registryEmail': 'kirjaamo(at)kitee.example' })).toEqual([
      { field: 'municipalities[4].registryEmail', message: 'Sähköpostiosoitteesta puuttuu @-merkki' },
    ]);
  });

  it('reports an address with a space', () => {
    expect(problemsWith({ 'organiser.contact.email': 'hyte @siunsote.example' })).toEqual([
      { field: 'organiser.contact.email', message: 'Sähköpostiosoitteessa ei saa olla välilyöntejä' },
    ]);
  });

  it('reports an address with Finnish letters', () => {
    expect(problemsWith({ 'municipalities[11].boardEmail': 'kunnanhallitus@rääkkylä.example' })).toEqual([
      {
        field: 'municipalities[11].boardEmail',
        message: 'Sähköpostiosoitteessa ei saa olla ääkkösiä eikä muita erikoismerkkejä',
      },
    ]);
  });

  it('reports an address without a top-level domain', () => {
    expect(problemsWith({ 'municipalities[0].body.secretaryEmail': 'sihteeri@heinavesi' })).toEqual([
      {
        field: 'municipalities[0].body.secretaryEmail',
        message: 'Sähköpostiosoite ei ole kelvollinen (muoto on nimi@verkkotunnus.fi)',
      },
    ]);
  });

  it('reports an address longer than 254 characters', () => {
    expect(problemsWith({ 'organiser.registryEmail': `${'k'.repeat(250)}@siunsote.example` })).toEqual([
      { field: 'organiser.registryEmail', message: 'Sähköpostiosoite on liian pitkä (enintään 254 merkkiä)' },
    ]);
  });

  it('reports a phone number with letters', () => {
    expect(problemsWith({ 'municipalities[7].presenter.phone': '040 834 7185 (työ)' })).toEqual([
      {
        field: 'municipalities[7].presenter.phone',
        message: 'Puhelinnumerossa saa olla vain numeroita, välilyöntejä ja merkkejä + - ( )',
      },
    ]);
  });

  it('reports a phone number longer than 30 characters', () => {
    expect(problemsWith({ 'municipalities[7].presenter.phone': '040 834 7185 '.repeat(3) })).toEqual([
      {
        field: 'municipalities[7].presenter.phone',
        message: 'Puhelinnumero on liian pitkä (enintään 30 merkkiä)',
      },
    ]);
  });
});

describe('dates', () => {
  it('reports a date in Finnish format', () => {
    expect(problemsWith({ deadline: '30.11.2023' })).toEqual([
      { field: 'deadline', message: 'Päivämäärän muoto on VVVV-KK-PP (esim. 2023-11-30)' },
    ]);
  });

  it('reports a date that is not in the calendar', () => {
    expect(problemsWith({ requestDate: '2023-02-30' })).toEqual([
      { field: 'requestDate', message: 'Päivämäärää 2023-02-30 ei ole kalenterissa' },
    ]);
  });

  it('reports a deadline before the request', () => {
    expect(problemsWith({ deadline: '2023-09-30' })).toEqual([
      {
        field: 'deadline',
        message: 'Vastausten määräpäivä (2023-09-30) on ennen pyynnön päivää (2023-10-02)',
      },
    ]);
  });

  it('reports groups starting on the deadline', () => {
    expect(problemsWith({ startDate: '2023-11-30' })).toEqual([
      {
        field: 'startDate',
        message: 'Ryhmien aloituspäivän (2023-11-30) pitää olla määräpäivän (2023-11-30) jälkeen',
      },
    ]);
  });

  it('accepts answers due on the day of the request', () => {
    expect(problemsWith({ deadline: '2023-10-02' })).toEqual([]);
  });
});

describe('seats and meetings', () => {
  it('reports more than ten seats', () => {
    expect(problemsWith({ 'seats.max': 11 })).toEqual([
      { field: 'seats.max', message: 'Suurin sallittu arvo on 10' },
    ]);
  });

  it('reports zero seats', () => {
    expect(problemsWith({ 'seats.min': 0 })).toEqual([
      { field: 'seats.min', message: 'Pienin sallittu arvo on 1' },
    ]);
  });

  it('reports a fractional seat count', () => {
    expect(problemsWith({ 'seats.min': 1.5 })).toEqual([
      { field: 'seats.min', message: 'Arvon pitää olla kokonaisluku' },
    ]);
  });

  it('reports a maximum below the minimum', () => {
    expect(problemsWith({ 'seats.min': 3, 'seats.max': 2 })).toEqual([
      { field: 'seats.max', message: 'Enimmäismäärä (2) ei voi olla pienempi kuin vähimmäismäärä (3)' },
    ]);
  });

  it('reports more than twelve meetings a year', () => {
    expect(problemsWith({ meetingsPerYear: 13 })).toEqual([
      { field: 'meetingsPerYear', message: 'Suurin sallittu arvo on 12' },
    ]);
  });
});

describe('groups and municipalities', () => {
  it('reports a round without groups', () => {
    expect(problemsWith({ groups: [] })).toContainEqual({
      field: 'groups',
      message: 'Anna vähintään yksi ryhmä',
    });
  });

  it('reports a group without municipalities', () => {
    expect(problemsWith({ 'groups[2].municipalities': [] })).toContainEqual({
      field: 'groups[2].municipalities',
      message: 'Ryhmään pitää kuulua vähintään yksi kunta',
    });
  });

  it('reports a group id used twice', () => {
    expect(problemsWith({ 'groups[2].id': 'keski-karjala' })).toEqual([
      { field: 'groups[2].id', message: 'Tunnus "keski-karjala" on jo käytössä kohdassa groups[1]' },
    ]);
  });

  it('reports a municipality id used twice', () => {
    expect(problemsWith({ 'municipalities[8].id': 'liperi' })).toContainEqual({
      field: 'municipalities[8].id',
      message: 'Tunnus "liperi" on jo käytössä kohdassa municipalities[7]',
    });
  });

  it('reports a group member missing from the municipalities, with a guess', () => {
    expect(problemsWith({ 'groups[0].municipalities[3]': 'lipperi' })).toContainEqual({
      field: 'groups[0].municipalities[3]',
      message: 'Kuntaa "lipperi" ei ole kuntaluettelossa (municipalities); tarkoititko "liperi"?',
    });
  });

  it('reports a municipality in two groups, at its second place', () => {
    expect(problemsWith({ 'groups[2].municipalities[3]': 'liperi' })).toEqual([
      {
        field: 'groups[2].municipalities[3]',
        message: 'Kunta "liperi" kuuluu jo ryhmään "joensuun-seutu"; kunta voi kuulua vain yhteen ryhmään',
      },
    ]);
  });

  it('reports a municipality listed twice in the same group', () => {
    expect(problemsWith({ 'groups[0].municipalities[6]': 'liperi' })).toEqual([
      {
        field: 'groups[0].municipalities[6]',
        message: 'Kunta "liperi" on tämän ryhmän luettelossa kahdesti',
      },
    ]);
  });

  it('reports a municipality in no group', () => {
    const file = parseYaml(exampleYaml);
    file.groups[2].municipalities = ['juuka', 'lieksa'];

    expect(problemsIn(JSON.stringify(file))).toEqual([
      {
        field: 'municipalities[8].id',
        message: 'Kunta "nurmes" ei kuulu mihinkään ryhmään; lisää se yhden ryhmän luetteloon',
      },
    ]);
  });
});

describe('several problems at once', () => {
  it('reports every problem of the file, not just the first', () => {
    const problems = problemsWith({
      title: undefined,
      'municipalities[4].registryEmail': 'kirjaamo(at)kitee.example',
      'seats.max': 12,
      deadline: '2023-09-01',
      'groups[1].municipalities[0]': 'heinavesii',
      'municipalities[2].preparer.titel': 'hyvinvointikoordinaattori',
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'title', message: 'Pakollinen tieto puuttuu' },
        { field: 'municipalities[4].registryEmail', message: 'Sähköpostiosoitteesta puuttuu @-merkki' },
        { field: 'seats.max', message: 'Suurin sallittu arvo on 10' },
        {
          field: 'deadline',
          message: 'Vastausten määräpäivä (2023-09-01) on ennen pyynnön päivää (2023-10-02)',
        },
        {
          field: 'groups[1].municipalities[0]',
          message: 'Kuntaa "heinavesii" ei ole kuntaluettelossa (municipalities); tarkoititko "heinavesi"?',
        },
        { field: 'municipalities[0].id', message: expect.stringContaining('ei kuulu mihinkään ryhmään') },
        {
          field: 'municipalities[2].preparer.titel',
          message: 'Tuntematon kenttä "titel"; tarkoititko "title"?',
        },
      ]),
    );
    expect(problems).toHaveLength(7);
  });
});

describe('the members a group has besides the municipalities’', () => {
  it('reads the county’s own representatives and the partners the minute names: regional council, parish, organisation, business', () => {
    const round = parseRoundFile(exampleYaml);

    const group = round.groups.find((g) => g.id === 'joensuun-seutu');

    expect(group?.representatives?.map((p) => p.email)).toEqual([
      'kaisa.kemppainen@siunsote.example',
      'mikko.mustonen@siunsote.example',
    ]);
    expect(group?.partners?.map((p) => p.organisation)).toEqual([
      'Pohjois-Karjalan maakuntaliitto',
      'Liperin seurakunta',
      'Pohjois-Karjalan Sosiaaliturvayhdistys ry',
      'Joensuun Seudun Yrittäjät ry',
    ]);
  });

  it('leaves them out of a group that names none', () => {
    const file = parseYaml(exampleYaml);
    delete file.groups[2].representatives;
    delete file.groups[2].partners;

    const group = parseRoundFile(JSON.stringify(file)).groups[2];

    expect(group).toEqual({
      id: 'pielisen-karjala',
      name: 'Pielisen Karjalan alueellinen kumppanuusryhmä',
      municipalityIds: ['juuka', 'lieksa', 'nurmes'],
    });
  });

  it('names the partner field at fault in Finnish', () => {
    expect(problemsWith({ 'groups[0].partners[1].organisation': undefined })).toEqual([
      { field: 'groups[0].partners[1].organisation', message: 'Pakollinen tieto puuttuu' },
    ]);
    expect(problemsWith({ 'groups[0].representatives[0].email': 'kaisa.kemppainen' })).toEqual([
      {
        field: 'groups[0].representatives[0].email',
        message: 'Sähköpostiosoitteesta puuttuu @-merkki',
      },
    ]);
  });
});
