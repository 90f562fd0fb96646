/**
 * The round file: what an organiser writes (YAML or JSON) to define a round.
 *
 * Every rule lives in `roundFileSchema`, so the editor schema (`roundFileJsonSchema`) and
 * the parser cannot drift apart. Messages are in Finnish for the municipal admin who wrote
 * the file; each problem becomes one FieldError and all of them are reported at once.
 */
import type { Document, ErrorCode, YAMLError } from 'yaml';
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import * as z from 'zod/mini';
import type { FieldError } from './errors.ts';
import { RoundFileError } from './errors.ts';
import type { Round } from './types.ts';

/** The field name of problems that concern the file as a whole (syntax, emptiness). */
const WHOLE_FILE = '(tiedosto)';

const EMPTY = 'Tieto ei voi olla tyhjä';
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
// Practical, not RFC 5322: ASCII local part, dotted domain, alphabetic top-level domain.
const EMAIL = /^[A-Za-z0-9._%+'-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$/;
const PHONE = /^[0-9 +()-]*[0-9][0-9 +()-]*$/;
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

// Control characters are checked in code, not as a JSON Schema pattern: `\p{Cc}` needs the
// regex `u` flag, which not every editor applies to schema patterns.
const hasControlChars = (s: string): boolean => /\p{Cc}/u.test(s);
const hasControlCharsBesidesNewlineTab = (s: string): boolean => /[^\P{Cc}\n\t]/u.test(s);

// Bidirectional embeddings, overrides and isolates (U+202A–202E, U+2066–2069) make a name
// read otherwise than it is, e.g. in a mail: refused, as in the officials' forms.
const hasBidiControls = (s: string): boolean => /[\u202a-\u202e\u2066-\u2069]/u.test(s);
const BIDI_MESSAGE =
  'Tekstissä on tekstin suuntaa vaihtavia merkkejä (esim. U+202E), jotka voivat saada sen näyttämään muulta kuin se on; kirjoita teksti uudelleen';

/** A pasted name: NFC, so "ä" typed two ways is one letter; zero-width spaces and BOMs left by copying removed. */
const neutraliseInvisible = (s: string): string => s.normalize('NFC').replace(/[\u200b\u2060\ufeff]/g, '');

function isCalendarDate(s: string): boolean {
  const date = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(s);
}

function slugProblem(s: string): string {
  if (s.length > 40) return `Tunnus on liian pitkä (${s.length} merkkiä, enintään 40)`;
  if (/[^a-z0-9-]/.test(s)) {
    return 'Tunnuksessa saa olla vain pieniä kirjaimia a–z, numeroita ja väliviivoja (ei isoja kirjaimia, ääkkösiä eikä välilyöntejä)';
  }
  return 'Tunnus ei saa alkaa eikä päättyä väliviivaan';
}

function emailProblem(s: string): string {
  if (/\s/.test(s)) return 'Sähköpostiosoitteessa ei saa olla välilyöntejä';
  const ats = s.split('@').length - 1;
  if (ats === 0) return 'Sähköpostiosoitteesta puuttuu @-merkki';
  if (ats > 1) return 'Sähköpostiosoitteessa saa olla vain yksi @-merkki';
  if (/[^ -~]/.test(s)) return 'Sähköpostiosoitteessa ei saa olla ääkkösiä eikä muita erikoismerkkejä';
  return 'Sähköpostiosoite ei ole kelvollinen (muoto on nimi@verkkotunnus.fi)';
}

/**
 * What classic zod's `.meta()` did: a copy of the schema with the metadata in the global registry
 * (which `z.toJSONSchema` reads), the original left bare for its other uses.
 */
function withMeta<T extends z.ZodMiniType>(schema: T, metadata: z.core.GlobalMeta): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, metadata);
  return copy;
}

/** A name or title: one line of readable text. */
const text = z.string().check(
  z.overwrite(neutraliseInvisible),
  z.trim(),
  z.minLength(1, EMPTY),
  z.maxLength(200),
  z.refine(
    (s) => !hasControlChars(s),
    'Tekstissä on ohjausmerkkejä (esim. rivinvaihto tai sarkain); kirjoita se yhdelle riville',
  ),
  z.refine((s) => !hasBidiControls(s), BIDI_MESSAGE),
);

const slug = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, { error: EMPTY, abort: true }),
    z.regex(SLUG, { error: (issue) => slugProblem(String(issue.input)) }),
  );

const email = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, { error: EMPTY, abort: true }),
    z.maxLength(254, 'Sähköpostiosoite on liian pitkä (enintään 254 merkkiä)'),
    z.regex(EMAIL, { error: (issue) => emailProblem(String(issue.input)) }),
  );

const phone = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, { error: 'Tieto ei voi olla tyhjä; jätä kenttä pois, jos numeroa ei ole', abort: true }),
    z.maxLength(30, 'Puhelinnumero on liian pitkä (enintään 30 merkkiä)'),
    z.regex(PHONE, 'Puhelinnumerossa saa olla vain numeroita, välilyöntejä ja merkkejä + - ( )'),
  );

const isoDate = withMeta(
  z.string().check(
    z.trim(),
    z.regex(DATE_SHAPE, { error: 'Päivämäärän muoto on VVVV-KK-PP (esim. 2023-11-30)', abort: true }),
    z.refine(isCalendarDate, {
      error: (issue) => `Päivämäärää ${String(issue.input)} ei ole kalenterissa`,
    }),
  ),
  { format: 'date' },
);

const person = z.strictObject({
  name: text,
  title: withMeta(text, { description: 'Virkanimike, esim. hyvinvointijohtaja' }),
  email,
  phone: withMeta(z.optional(phone), { description: 'Työpuhelin, esim. "040 834 7185"' }),
});

/** A minute checker (pöytäkirjantarkastaja) is usually an elected committee member: no job title needed. */
const minuteChecker = z.strictObject({
  name: text,
  email,
  title: withMeta(z.optional(text), { description: 'Esim. lautakunnan jäsen' }),
});
/** Two is the usual number; a few more cover deputies named in advance. */
export const MAX_MINUTE_CHECKERS = 5;

const seatCount = z.int().check(z.gte(1), z.lte(10));

const seats = z._default(
  z
    .strictObject({
      min: withMeta(z._default(seatCount, 1), { description: 'Vähintään näin monta edustajaa kunnalta' }),
      max: withMeta(z._default(seatCount, 4), { description: 'Enintään näin monta edustajaa kunnalta' }),
    })
    .check(
      z.superRefine((s, ctx) => {
        if (s.min > s.max) {
          ctx.addIssue({
            code: 'custom',
            path: ['max'],
            message: `Enimmäismäärä (${s.max}) ei voi olla pienempi kuin vähimmäismäärä (${s.min})`,
          });
        }
      }),
    ),
  { min: 1, max: 4 },
);

const municipality = z.strictObject({
  id: withMeta(slug, { description: 'Kunnan tunnus ilman ääkkösiä, esim. raakkyla' }),
  name: withMeta(text, { description: 'Kunnan nimi, esim. Rääkkylä' }),
  registryEmail: withMeta(email, {
    description: 'Kirjaamon osoite: hyvinvointialueen pyyntö lähetetään tänne',
  }),
  boardEmail: withMeta(email, {
    description: 'Kunnan- tai kaupunginhallituksen osoite: pöytäkirjanote tiedoksi',
  }),
  preparer: withMeta(person, { description: 'Valmistelija: laatii päätösehdotuksen' }),
  presenter: withMeta(person, {
    description: 'Esittelijä: hyväksyy ehdotuksen toimielimelle (voi olla sama kuin valmistelija)',
  }),
  body: withMeta(
    z.strictObject({
      name: withMeta(text, { description: 'Päättävä toimielin, esim. hyvinvointilautakunta' }),
      secretaryEmail: withMeta(email, { description: 'Toimielimen sihteerin osoite' }),
      secretaryName: withMeta(z.optional(text), {
        description: 'Pöytäkirjanotteen oikeaksi todistava sihteeri',
      }),
      secretaryTitle: withMeta(z.optional(text), {
        description: 'Sihteerin virkanimike, esim. hallintosihteeri',
      }),
    }),
    { description: 'Toimielin, joka päättää nimeämisestä' },
  ),
  postalAddress: withMeta(z.optional(text), {
    description: 'Kirjaamon postiosoite oikaisuvaatimusohjetta varten, esim. "PL 1, 83101 Liperi"',
  }),
  minuteCheckers: withMeta(
    z.optional(
      z.array(minuteChecker).check(
        z.minLength(1, 'Anna vähintään yksi pöytäkirjantarkastaja tai jätä kohta pois'),
        z.maxLength(MAX_MINUTE_CHECKERS, `Enintään ${MAX_MINUTE_CHECKERS} pöytäkirjantarkastajaa`),
        z.superRefine((checkers, ctx) => {
          const seen = new Set<string>();
          checkers.forEach((c, i) => {
            const key = c.email.toLowerCase();
            if (seen.has(key)) {
              ctx.addIssue({
                code: 'custom',
                path: [i, 'email'],
                message: `Pöytäkirjantarkastaja ${c.email} on jo luettelossa`,
              });
            }
            seen.add(key);
          });
        }),
      ),
    ),
    {
      description:
        'Pöytäkirjantarkastajat: jokainen hyväksyy pöytäkirjan kohdan omalla linkillään ennen kuin ote lähtee',
    },
  ),
});

const partner = z.extend(person, {
  organisation: withMeta(text, {
    description: 'Organisaatio, esim. Pohjois-Karjalan maakuntaliitto tai Liperin seurakunta',
  }),
});

const group = z.strictObject({
  id: slug,
  name: text,
  municipalities: withMeta(z.array(slug).check(z.minLength(1, 'Ryhmään pitää kuulua vähintään yksi kunta')), {
    description: 'Ryhmään kuuluvien kuntien tunnukset (municipalities[].id)',
  }),
  representatives: withMeta(z.optional(z.array(person)), {
    description: 'Järjestäjän (hyvinvointialueen) omat edustajat ryhmässä',
  }),
  partners: withMeta(z.optional(z.array(partner)), {
    description:
      'Muut jäsenet: maakuntaliitto, järjestöt, seurakunnat, yritykset (organisaatio ja yhteyshenkilö)',
  }),
});

/** The schema of a round file, as written (before mapping to `Round`). */
export const roundFileSchema = withMeta(
  z
    .strictObject({
      // Lets a JSON round file name its editor schema; YAML uses a `# yaml-language-server` comment.
      $schema: z.optional(z.string()),
      id: withMeta(slug, { description: 'Kierroksen tunnus, esim. pohjois-karjala-2024' }),
      title: withMeta(text, { description: 'Asian otsikko' }),
      caseText: withMeta(
        z.string().check(
          z.overwrite((s) => s.replace(/\r\n?/g, '\n')),
          z.trim(),
          z.minLength(1, EMPTY),
          z.maxLength(20_000),
          z.refine(
            (s) => !hasControlCharsBesidesNewlineTab(s),
            'Tekstissä on ohjausmerkkejä; vain rivinvaihdot ja sarkaimet ovat sallittuja',
          ),
          z.refine((s) => !hasBidiControls(s), BIDI_MESSAGE),
        ),
        { description: 'Pyyntö ja sen tausta (asian esittelyteksti)' },
      ),
      organiser: z.strictObject({
        name: withMeta(text, { description: 'Esim. Pohjois-Karjalan hyvinvointialue' }),
        registryEmail: withMeta(email, {
          description: 'Kirjaamon osoite: pöytäkirjanotteet lähetetään tänne',
        }),
        contact: withMeta(person, { description: 'Kierroksen yhteyshenkilö' }),
      }),
      seats,
      requestDate: withMeta(isoDate, { description: 'Pyynnön lähetyspäivä' }),
      deadline: withMeta(isoDate, { description: 'Vastausten viimeinen päivä' }),
      startDate: withMeta(isoDate, { description: 'Ryhmien aloituspäivä' }),
      meetingsPerYear: withMeta(z._default(z.int().check(z.gte(1), z.lte(12)), 4), {
        description: 'Kokouksia vuodessa',
      }),
      reminderDays: withMeta(
        z.optional(
          z
            .array(
              z
                .int()
                .check(z.gte(1, 'Muistutuspäivä on vähintään 1'), z.lte(60, 'Muistutuspäivä on enintään 60')),
            )
            .check(z.maxLength(5, 'Anna enintään 5 muistutuspäivää')),
        ),
        { description: 'Muistutukset: montako päivää ennen määräaikaa (oletus 7 ja 2)' },
      ),
      groups: z.array(group).check(z.minLength(1, 'Anna vähintään yksi ryhmä')),
      municipalities: z.array(municipality).check(z.minLength(1, 'Anna vähintään yksi kunta')),
    })
    .check(
      // Cross-field rules run even when some fields are broken, so one upload shows every problem.
      z.superRefine((file, ctx) => checkConsistency(file as unknown as Loose, ctx), {
        when: (payload) => isRecord(payload.value),
      }),
    ),
  { title: 'Nimitys: kierrostiedosto' },
);

export type RoundFile = z.output<typeof roundFileSchema>;

/** The JSON Schema of a round file, for editors (examples/round.schema.json is this, checked in). */
export function roundFileJsonSchema(): Record<string, unknown> {
  // Input side: fields with defaults are optional to write. Draft-07 has the widest editor support.
  return z.toJSONSchema(roundFileSchema, { io: 'input', target: 'draft-07' });
}

/**
 * Parses and validates a round file. `format` defaults to JSON when the text starts with `{`.
 * @throws RoundFileError listing every problem found.
 */
export function parseRoundFile(text: string, format?: 'yaml' | 'json'): Round {
  const source = text.replace(/^\uFEFF/, '');
  const json = (format ?? (source.trimStart().startsWith('{') ? 'json' : 'yaml')) === 'json';
  const data = json ? readJson(source) : readYaml(source);
  if (data === null || data === undefined) throw fileError('Tiedosto on tyhjä');
  if (!isRecord(data)) {
    throw fileError(
      `Tiedoston ylimmän tason pitää olla kierroksen kentät (id, title, …), nyt se on ${kind(data)}`,
    );
  }
  const result = roundFileSchema.safeParse(data, { error: finnishMessage });
  if (!result.success) throw new RoundFileError(result.error.issues.flatMap(toFieldErrors));
  return toRound(result.data);
}

function toRound(file: RoundFile): Round {
  return {
    id: file.id,
    title: file.title,
    caseText: file.caseText,
    organiser: file.organiser,
    seats: file.seats,
    requestDate: file.requestDate,
    deadline: file.deadline,
    startDate: file.startDate,
    meetingsPerYear: file.meetingsPerYear,
    ...(file.reminderDays && { reminderDays: file.reminderDays }),
    groups: file.groups.map((g) => ({
      id: g.id,
      name: g.name,
      municipalityIds: g.municipalities,
      ...(g.representatives && { representatives: g.representatives }),
      ...(g.partners && { partners: g.partners }),
    })),
    municipalities: file.municipalities,
  };
}

// ---------------------------------------------------------------------------------------
// Reading the text

function fileError(message: string): RoundFileError {
  return new RoundFileError([{ field: WHOLE_FILE, message }]);
}

function readJson(source: string): unknown {
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const { line, col } = jsonErrorPosition(source, detail);
    throw fileError(`Rivi ${line}, sarake ${col}: JSON-tiedoston rakenne on virheellinen (${detail})`);
  }
  // JSON.parse keeps the last of two equal keys without a word; JSON is YAML, so let YAML find them.
  const { problems } = parseYaml(source, 'DUPLICATE_KEY');
  if (problems.length > 0) throw new RoundFileError(problems);
  return data;
}

/** Where JSON.parse failed. V8 mostly says "(line 3 column 5)"; for an unexpected token it only quotes the spot. */
function jsonErrorPosition(source: string, detail: string): { line: number; col: number } {
  const at = /\(line (\d+) column (\d+)\)/.exec(detail);
  if (at) return { line: Number(at[1]), col: Number(at[2]) };
  // Bisect with JSON.parse itself: the error is just after the longest prefix it calls merely unfinished.
  let [unfinished, broken] = [0, source.length];
  while (broken - unfinished > 1) {
    const middle = Math.floor((unfinished + broken) / 2);
    if (isUnfinishedJson(source.slice(0, middle))) unfinished = middle;
    else broken = middle;
  }
  const lines = source.slice(0, unfinished).split('\n');
  return { line: lines.length, col: (lines.at(-1)?.length ?? 0) + 1 };
}

function isUnfinishedJson(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const position = /at position (\d+)/.exec(message);
    return position ? Number(position[1]) >= prefix.length : message.includes('end of JSON input');
  }
}

function readYaml(source: string): unknown {
  const { doc, problems } = parseYaml(source);
  if (problems.length > 0) throw new RoundFileError(problems);
  try {
    return doc.toJS();
  } catch (error) {
    // e.g. an alias (*name) without its anchor (&name), or aliases of aliases (a "billion laughs")
    const detail = error instanceof Error ? error.message : String(error);
    if (/Excessive alias count/.test(detail)) {
      throw fileError('YAML-tiedostossa on liikaa viittauksia (*nimi) toisiin kohtiin; kirjoita arvot auki');
    }
    throw fileError(`YAML-tiedostoa ei voitu lukea (${detail})`);
  }
}

/** Parses YAML (or JSON, which is YAML) and describes its syntax errors, or only those of one kind. */
function parseYaml(source: string, only?: ErrorCode): { doc: Document; problems: FieldError[] } {
  const lines = new LineCounter();
  // YAML 1.2 core schema even under a `%YAML 1.1` directive: dates stay text, "no" stays "no".
  const doc = parseDocument(source, {
    lineCounter: lines,
    prettyErrors: false,
    schema: 'core',
    uniqueKeys: true,
    version: '1.2',
  });
  const problems = doc.errors
    .filter((error) => only === undefined || error.code === only)
    // One slip often trips several rules at the same spot; the first says it best.
    .filter((error, i, all) => all.findIndex((e) => e.pos[0] === error.pos[0]) === i)
    .map((error) => {
      const { line, col } = lines.linePos(error.pos[0]);
      return { field: WHOLE_FILE, message: `Rivi ${line}, sarake ${col}: ${yamlMessage(doc, error)}` };
    })
    // Nesting too deep for the parser fails at every level on the way out: once is enough.
    .filter(
      (p, i, all) =>
        !p.message.endsWith(TOO_DEEP) || all.findIndex((q) => q.message.endsWith(TOO_DEEP)) === i,
    );
  return { doc, problems };
}

// Finnish for the usual slips, matched on the error code or, where a code covers many cases, the message.
const TOO_DEEP = 'Tiedostossa on liian monta sisäkkäistä tasoa (sulkeita tai sisennyksiä); tarkista rakenne';

const YAML_MESSAGES: Array<[ErrorCode | RegExp, string]> = [
  [/Maximum call stack size exceeded/, TOO_DEEP],
  [/closing .quote/, 'Sulkeva lainausmerkki puuttuu'],
  [/followed by map values/, 'Kentän nimen perästä puuttuu kaksoispiste ja välilyönti (muoto on nimi: arvo)'],
  [/Missing space after :/, 'Kaksoispisteen perästä puuttuu välilyönti'],
  ['TAB_AS_INDENT', 'Sisennyksessä on sarkain; käytä välilyöntejä'],
  ['BAD_INDENT', 'Sisennys on virheellinen tai sulkeva sulje puuttuu'],
  ['MULTIPLE_DOCS', 'Tiedostossa saa olla vain yksi YAML-dokumentti (poista ylimääräinen ---)'],
  [
    'MULTILINE_IMPLICIT_KEY',
    'Kentän nimen pitää olla yhdellä rivillä ja sen perässä kaksoispiste ja välilyönti',
  ],
  ['BLOCK_AS_IMPLICIT_KEY', 'Sisennys on virheellinen tai samalla rivillä on kaksi kenttää'],
];

function yamlMessage(doc: Document, error: YAMLError): string {
  if (error.code === 'DUPLICATE_KEY') {
    // The error points at the second key; find its name in the document.
    let key = '';
    visit(doc, {
      Pair(_, pair) {
        if (isScalar(pair.key) && pair.key.range?.[0] === error.pos[0]) key = String(pair.key.value);
      },
    });
    return `Kenttä "${key}" esiintyy kahdesti; poista toinen`;
  }
  const known = YAML_MESSAGES.find(([test]) =>
    typeof test === 'string' ? test === error.code : test.test(error.message),
  );
  return known?.[1] ?? `YAML-syntaksivirhe (${error.message})`;
}

// ---------------------------------------------------------------------------------------
// Cross-field rules

/** The file as the refinement sees it: possibly broken anywhere, so every access is checked. */
type Loose = Record<string, unknown>;

function isRecord(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const idOf = (value: unknown): string | undefined =>
  isRecord(value) && typeof value.id === 'string' ? value.id : undefined;
const validDate = (value: unknown): value is string =>
  typeof value === 'string' && DATE_SHAPE.test(value) && isCalendarDate(value);

function checkConsistency(file: Loose, ctx: z.core.$RefinementCtx): void {
  const problem = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  const { requestDate, deadline, startDate } = file;
  if (validDate(requestDate) && validDate(deadline) && deadline < requestDate) {
    problem(['deadline'], `Vastausten määräpäivä (${deadline}) on ennen pyynnön päivää (${requestDate})`);
  }
  if (validDate(deadline) && validDate(startDate) && startDate <= deadline) {
    problem(
      ['startDate'],
      `Ryhmien aloituspäivän (${startDate}) pitää olla määräpäivän (${deadline}) jälkeen`,
    );
  }

  const firstIndex = (kind: 'groups' | 'municipalities') => {
    const seen = new Map<string, number>();
    list(file[kind]).forEach((item, i) => {
      const id = idOf(item);
      if (id === undefined) return;
      const first = seen.get(id);
      if (first === undefined) seen.set(id, i);
      else problem([kind, i, 'id'], `Tunnus "${id}" on jo käytössä kohdassa ${kind}[${first}]`);
    });
    return seen;
  };
  firstIndex('groups');
  const municipalities = firstIndex('municipalities');

  const groupOf = new Map<string, string>();
  list(file.groups).forEach((g, gi) => {
    const groupName = idOf(g) ?? `groups[${gi}]`;
    list(isRecord(g) ? g.municipalities : undefined).forEach((id, j) => {
      if (typeof id !== 'string') return;
      const path = ['groups', gi, 'municipalities', j];
      const other = groupOf.get(id);
      if (!municipalities.has(id)) {
        const hint = closest(id, [...municipalities.keys()]);
        problem(
          path,
          `Kuntaa "${id}" ei ole kuntaluettelossa (municipalities)${hint ? `; tarkoititko "${hint}"?` : ''}`,
        );
      } else if (other === groupName) {
        problem(path, `Kunta "${id}" on tämän ryhmän luettelossa kahdesti`);
      } else if (other !== undefined) {
        problem(path, `Kunta "${id}" kuuluu jo ryhmään "${other}"; kunta voi kuulua vain yhteen ryhmään`);
      } else {
        groupOf.set(id, groupName);
      }
    });
  });
  for (const [id, i] of municipalities) {
    if (!groupOf.has(id)) {
      problem(
        ['municipalities', i, 'id'],
        `Kunta "${id}" ei kuulu mihinkään ryhmään; lisää se yhden ryhmän luetteloon`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------
// Messages

function kind(value: unknown): string {
  if (value === null) return 'tyhjä';
  if (Array.isArray(value)) return 'luettelo';
  switch (typeof value) {
    case 'string':
      return 'tekstiä';
    case 'number':
      return 'luku';
    case 'boolean':
      return 'totuusarvo';
    case 'object':
      return 'rakenne';
    default:
      return typeof value;
  }
}

/** Finnish messages for the issues that carry no message of their own. */
function finnishMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const input = issue.input;
      if (input === undefined) return 'Pakollinen tieto puuttuu';
      if (input === null) return 'Arvo puuttuu (kenttä on tyhjä)';
      switch (issue.expected) {
        case 'string':
          return typeof input === 'number' || typeof input === 'boolean'
            ? `Arvon pitää olla tekstiä, nyt se on ${kind(input)}; kirjoita arvo lainausmerkkeihin`
            : `Arvon pitää olla tekstiä, nyt se on ${kind(input)}`;
        case 'number':
        case 'int':
          return typeof input === 'number'
            ? 'Arvon pitää olla kokonaisluku'
            : `Arvon pitää olla luku ilman lainausmerkkejä, nyt se on ${kind(input)}`;
        case 'array':
          return `Arvon pitää olla luettelo, nyt se on ${kind(input)}`;
        case 'object':
          return `Arvon pitää olla kenttiä sisältävä rakenne, nyt se on ${kind(input)}`;
        default:
          return 'Arvo on väärää tyyppiä';
      }
    }
    case 'too_small':
      if (issue.origin === 'string') return EMPTY;
      if (issue.origin === 'array') return `Luettelossa pitää olla vähintään ${issue.minimum} kohta`;
      return `Pienin sallittu arvo on ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') {
        const length = typeof issue.input === 'string' ? `${issue.input.length} merkkiä, ` : '';
        return `Teksti on liian pitkä (${length}enintään ${issue.maximum} merkkiä)`;
      }
      if (issue.origin === 'array') return `Luettelossa saa olla enintään ${issue.maximum} kohtaa`;
      return `Suurin sallittu arvo on ${issue.maximum}`;
    case 'unrecognized_keys':
      return 'Tuntematon kenttä'; // replaced per key in toFieldErrors
    default:
      return 'Arvo ei kelpaa';
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return WHOLE_FILE;
  return path
    .map((step, i) => (typeof step === 'number' ? `[${step}]` : `${i === 0 ? '' : '.'}${String(step)}`))
    .join('');
}

function toFieldErrors(issue: z.core.$ZodIssue): FieldError[] {
  if (issue.code !== 'unrecognized_keys') return [{ field: formatPath(issue.path), message: issue.message }];
  // One error per unknown key, at the key itself, with a guess at the intended name.
  const allowed = allowedKeys(issue.path);
  return issue.keys.map((key) => {
    const hint = closest(key, allowed);
    return {
      field: formatPath([...issue.path, key]),
      message: `Tuntematon kenttä "${key}"; ${hint ? `tarkoititko "${hint}"?` : `sallitut kentät: ${allowed.join(', ')}`}`,
    };
  });
}

/** The field names the schema allows in the object at `path`. */
function allowedKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = roundFileSchema;
  for (const step of [...path, undefined]) {
    while (schema instanceof z.ZodMiniDefault || schema instanceof z.ZodMiniOptional) {
      schema = schema._zod.def.innerType;
    }
    if (step === undefined) break;
    if (schema instanceof z.ZodMiniArray) schema = schema._zod.def.element;
    else if (schema instanceof z.ZodMiniObject && String(step) in schema.shape)
      schema = schema.shape[String(step)] as z.core.$ZodType; // present: the `in` above
    else return [];
  }
  return schema instanceof z.ZodMiniObject ? Object.keys(schema.shape) : [];
}

/** The option nearest to `word`, if near enough to be a likely typo (about one edit per three letters). */
function closest(word: string, options: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.ceil(word.length / 3)) + 1;
  for (const option of options) {
    const distance = editDistance(word.toLowerCase(), option.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [option, distance];
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}
