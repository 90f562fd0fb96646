/**
 * Finnish language helpers for the texts of the nomination process: genitives of
 * names, the päätösehdotus sentence, list joining and Finnish date formats.
 *
 * The genitive rules cover the patterns of Finnish surnames, municipality names and
 * organisation names that this process meets. They are rules of thumb, not a full
 * morphology: irregular words go into the exception tables below.
 */

import { helsinkiWallClock } from './time.ts';
import type { Person } from './types.ts';

const VOWELS = 'aeiouyäöå';

function isVowel(ch: string | undefined): boolean {
  return ch !== undefined && ch.length === 1 && VOWELS.includes(ch);
}

/**
 * Whole words whose genitive no rule below gives. Keys and values in lower case;
 * the caller's capitalisation is restored afterwards.
 */
const WORD_EXCEPTIONS: Readonly<Record<string, string>> = {
  // Native words ending in a consonant other than -nen keep an -e- stem.
  ahven: 'ahvenen',
  siemen: 'siemenen',
  manner: 'mantereen',
  // Given names ending in -e take a plain -n (unlike laine : laineen).
  anne: 'annen',
  aune: 'aunen',
  irene: 'irenen',
  kalle: 'kallen',
  marianne: 'mariannen',
  olle: 'ollen',
  ville: 'villen',
  // The given name does not follow the noun (lempi : lemmen).
  lempi: 'lempin',
};

/**
 * Last parts of compound words with an irregular genitive, mostly the old e-stem
 * nouns of Finnish surnames and place names (mäki : mäen, lampi : lammen). They
 * apply to the whole word and to the end of a compound: Elomäki → Elomäen,
 * Kontiolahti → Kontiolahden, Rautakangas → Rautakankaan.
 */
const COMPOUND_ENDINGS: ReadonlyArray<readonly [ending: string, genitive: string]> = [
  // -i nouns with an -e- stem and, where it applies, consonant gradation.
  ['mäki', 'mäen'],
  ['joki', 'joen'],
  ['lahti', 'lahden'],
  ['lehti', 'lehden'],
  ['lampi', 'lammen'],
  ['korpi', 'korven'],
  ['vesi', 'veden'],
  ['saari', 'saaren'],
  ['järvi', 'järven'],
  ['koski', 'kosken'],
  ['niemi', 'niemen'],
  ['nummi', 'nummen'],
  ['nurmi', 'nurmen'],
  ['salmi', 'salmen'],
  ['tuomi', 'tuomen'],
  ['hirvi', 'hirven'],
  ['vuori', 'vuoren'],
  ['kivi', 'kiven'],
  ['kuusi', 'kuusen'],
  ['sarvi', 'sarven'],
  ['talvi', 'talven'],
  ['pilvi', 'pilven'],
  // -as / -es nouns: strong grade and a long vowel in the stem.
  ['kangas', 'kankaan'],
  ['mies', 'miehen'],
  // -e nouns with the strong grade in the stem.
  ['rinne', 'rinteen'],
  ['ahde', 'ahteen'],
  ['kaarre', 'kaarteen'],
];

/**
 * Consonant gradation before the genitive -n, where the strong grade starts the last
 * syllable: Ranta → Rannan, Aalto → Aallon, Honka → Hongan, Lehto → Lehdon. Single
 * k/p/t are left alone, as usual in names (Saku : Sakun); words that do grade them
 * (Juuka : Juuan) are exceptions.
 */
const CLUSTER_GRADATION: ReadonlyArray<readonly [strong: string, weak: string]> = [
  ['nk', 'ng'],
  ['mp', 'mm'],
  ['nt', 'nn'],
  ['lt', 'll'],
  ['rt', 'rr'],
  ['ht', 'hd'],
];

/** Double stops shorten: Kuikka → Kuikan, Lappi → Lapin, Huttu → Hutun. */
const GEMINATE_STOPS = ['kk', 'pp', 'tt'];

/** The weak grade of a stem that ends where the word's last vowel began. */
function weakGrade(stem: string): string {
  if (GEMINATE_STOPS.some((g) => stem.endsWith(g))) return stem.slice(0, -1);
  for (const [strong, weak] of CLUSTER_GRADATION) {
    // Only between vowels: the cluster must be the onset of the final syllable.
    if (stem.endsWith(strong) && isVowel(stem.at(-strong.length - 1))) {
      return stem.slice(0, -strong.length) + weak;
    }
  }
  return stem;
}

/** Genitive of one lower-case word without hyphens. */
function genitiveLower(w: string): string {
  // Own keys only: "constructor" or "toString" is a word, not an Object.prototype member.
  const exception = Object.hasOwn(WORD_EXCEPTIONS, w) ? WORD_EXCEPTIONS[w] : undefined;
  if (exception !== undefined) return exception;

  for (const [ending, genitive] of COMPOUND_ENDINGS) {
    if (w.endsWith(ending)) return w.slice(0, -ending.length) + genitive;
  }

  // -nen → -sen: Virtanen → Virtasen, Lappalainen → Lappalaisen.
  if (w.endsWith('nen') && w.length > 3) return `${w.slice(0, -3)}sen`;

  const last = w.at(-1);
  const beforeLast = w.at(-2);

  if (!isVowel(last)) {
    // A short vowel + s takes -ksen (Nurmes → Nurmeksen, Tuomas → Tuomaksen);
    // a long vowel + s is foreign (Grönroos → Grönroosin).
    if (last === 's' && isVowel(beforeLast) && !isVowel(w.at(-3))) return `${w.slice(0, -1)}ksen`;
    // Other consonant endings are foreign names: Lindberg → Lindbergin, Nyman → Nymanin.
    return `${w}in`;
  }

  if (last === 'e') {
    // A long -ee or the diphthong -ie just takes -n (Kitee → Kiteen); otherwise
    // -e → -een (Laine → Laineen, alue → alueen).
    return beforeLast === 'e' || beforeLast === 'i' ? `${w}n` : `${w}en`;
  }

  // Two vowels at the end (Kallio, Joensuu, Nokia): nothing grades.
  if (isVowel(beforeLast)) return `${w}n`;

  // One vowel after a consonant: gradation + vowel + n (Kuikka → Kuikan, Liperi → Liperin).
  return `${weakGrade(w.slice(0, -1))}${last}n`;
}

/**
 * Carries the capitals of `original` over to the inflected form: letters at the same
 * positions that are the same letter keep their case ("McDonald" → "McDonaldin");
 * an all-capitals word stays in capitals.
 */
function restoreCase(original: string, inflected: string): string {
  const hasLetters = original.toLowerCase() !== original.toUpperCase();
  if (hasLetters && original.length > 1 && original === original.toUpperCase()) {
    return inflected.toUpperCase();
  }
  let out = '';
  for (let i = 0; i < inflected.length; i++) {
    const ch = inflected[i] ?? '';
    const orig = original[i];
    out += orig !== undefined && orig !== orig.toLowerCase() && orig.toLowerCase() === ch ? orig : ch;
  }
  return out;
}

/**
 * Genitive of a single word (a name or a noun). In a hyphenated word only the last
 * part inflects: "Virtanen-Laine" → "Virtanen-Laineen", "Pohjois-Karjala" →
 * "Pohjois-Karjalan".
 */
export function genitive(word: string): string {
  const trimmed = word.trim();
  if (trimmed === '') return trimmed;
  const hyphen = trimmed.lastIndexOf('-');
  if (hyphen > 0 && hyphen < trimmed.length - 1) {
    return trimmed.slice(0, hyphen + 1) + genitive(trimmed.slice(hyphen + 1));
  }
  return restoreCase(trimmed, genitiveLower(trimmed.toLowerCase()));
}

/**
 * Genitive of a phrase whose head is its last word: the words before it are already
 * attributes in the right case ("Pohjois-Karjalan hyvinvointialue" →
 * "Pohjois-Karjalan hyvinvointialueen", "Eeva Elomäki" → "Eeva Elomäen").
 */
export function phraseGenitive(phrase: string): string {
  const words = phrase.trim().split(/\s+/);
  const last = words.pop();
  if (last === undefined || last === '') return '';
  return [...words, genitive(last)].join(' ');
}

/** "Eeva Elomäki" → "Eeva Elomäen": given names stay, the surname inflects. */
export function personGenitive(fullName: string): string {
  return phraseGenitive(fullName);
}

/**
 * Municipality names whose genitive no general rule gives, across Finland. The 13
 * North Karelian municipalities follow the rules except Juuka.
 */
const MUNICIPALITY_EXCEPTIONS: Readonly<Record<string, string>> = {
  juuka: 'Juuan',
  alavus: 'Alavuden',
  hailuoto: 'Hailuodon',
  lieto: 'Liedon',
  loppi: 'Lopen',
  muurame: 'Muuramen',
  pihtipudas: 'Pihtiputaan',
  punkalaidun: 'Punkalaitumen',
  raahe: 'Raahen',
  turku: 'Turun',
  uusikaupunki: 'Uudenkaupungin',
  varkaus: 'Varkauden',
  // A plural name: "Virtain kaupunki".
  virrat: 'Virtain',
};

/** "Liperi" → "Liperin", "Juuka" → "Juuan", "Nurmes" → "Nurmeksen". */
export function municipalityGenitive(name: string): string {
  const trimmed = name.trim();
  const key = trimmed.toLowerCase();
  return (
    (Object.hasOwn(MUNICIPALITY_EXCEPTIONS, key) ? MUNICIPALITY_EXCEPTIONS[key] : undefined) ??
    phraseGenitive(trimmed)
  );
}

/** "Pohjois-Karjalan hyvinvointialue" → "Pohjois-Karjalan hyvinvointialueen". */
export function organiserGenitive(name: string): string {
  return phraseGenitive(name);
}

/** First letter in upper case: a body name at the start of a sentence. */
export function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * First letter in lower case, as titles are written inside a sentence
 * ("Hyvinvointijohtaja" → "hyvinvointijohtaja"). Abbreviations keep their capitals:
 * "IT-asiantuntija" stays as it is.
 */
export function lowerFirst(s: string): string {
  const second = s.charAt(1);
  if (second !== '' && second !== second.toLowerCase()) return s;
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** "a", "a ja b", "a, b ja c". */
export function joinFi(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ja ${items.at(-1)}`;
}

const NUMBER_WORDS = [
  '',
  'yksi',
  'kaksi',
  'kolme',
  'neljä',
  'viisi',
  'kuusi',
  'seitsemän',
  'kahdeksan',
  'yhdeksän',
  'kymmenen',
];

/** "kerran vuodessa", "neljä kertaa vuodessa", "12 kertaa vuodessa". */
export function timesPerYearFi(n: number): string {
  if (n === 1) return 'kerran vuodessa';
  const word = Number.isInteger(n) && n > 1 ? NUMBER_WORDS[n] : undefined;
  return `${word ?? String(n)} kertaa vuodessa`;
}

export interface ProposalTextInput {
  /** The deciding body, e.g. "hyvinvointilautakunta". */
  bodyName: string;
  /** e.g. "Pohjois-Karjalan hyvinvointialue". */
  organiserName: string;
  /** Nominative, e.g. "Liperi". */
  municipalityName: string;
  nominees: Person[];
}

/** "hyvinvointijohtaja Riitta Lappalaisen": the title as written inside a sentence. */
function nomineeGenitive(person: Person): string {
  const title = lowerFirst(person.title.trim());
  const name = personGenitive(person.name);
  return title === '' ? name : `${title} ${name}`;
}

/**
 * The päätösehdotus in the minute's words: "Hyvinvointilautakunta nimeää
 * Pohjois-Karjalan hyvinvointialueen alueelliseen kumppanuusryhmään Liperin
 * edustajiksi hyvinvointi- ja hankekoordinaattori Eeva Elomäen, … ja
 * hyvinvointijohtaja Riitta Lappalaisen."
 */
export function proposalText({
  bodyName,
  organiserName,
  municipalityName,
  nominees,
}: ProposalTextInput): string {
  if (nominees.length === 0) throw new RangeError('proposalText needs at least one nominee');
  const role = nominees.length === 1 ? 'edustajaksi' : 'edustajiksi';
  return (
    `${upperFirst(bodyName.trim())} nimeää ${organiserGenitive(organiserName)} alueelliseen ` +
    `kumppanuusryhmään ${municipalityGenitive(municipalityName)} ${role} ` +
    `${joinFi(nominees.map(nomineeGenitive))}.`
  );
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** '2023-11-30' → '30.11.2023' (the Finnish way: no leading zeros). */
export function formatDateFi(isoDate: string): string {
  const match = ISO_DATE.exec(isoDate);
  const [, y, m, d] = match ?? [];
  if (y === undefined || m === undefined || d === undefined) {
    throw new RangeError(`Not an ISO calendar date (YYYY-MM-DD): ${isoDate}`);
  }
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  // Date.UTC rolls 2023-02-30 over to March: a round trip tells a real date.
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) {
    throw new RangeError(`No such date: ${isoDate}`);
  }
  return `${Number(d)}.${Number(m)}.${y}`;
}

/** '2023-11-30T12:05:00Z' → '30.11.2023 klo 14.05', in Finnish time. */
export function formatDateTimeFi(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a date-time: ${iso}`);
  const wall = helsinkiWallClock(date);
  const minute = String(wall.getUTCMinutes()).padStart(2, '0');
  return `${wall.getUTCDate()}.${wall.getUTCMonth() + 1}.${wall.getUTCFullYear()} klo ${wall.getUTCHours()}.${minute}`;
}

/** For pages: a calendar date the Finnish way, or as stored if malformed (a page never fails on it). */
export function displayDateFi(isoDate: string): string {
  try {
    return formatDateFi(isoDate);
  } catch {
    return isoDate;
  }
}

/** For pages: an instant in Helsinki time, or as stored if malformed. */
export function displayDateTimeFi(isoInstant: string): string {
  try {
    return formatDateTimeFi(isoInstant);
  } catch {
    return isoInstant;
  }
}
