import { describe, expect, it } from 'vitest';
import {
  formatDateFi,
  formatDateTimeFi,
  genitive,
  joinFi,
  lowerFirst,
  municipalityGenitive,
  organiserGenitive,
  personGenitive,
  proposalText,
  timesPerYearFi,
} from '../../functions/domain/finnish.ts';
import type { Person } from '../../functions/domain/types.ts';
import { liperiNominees } from '../fixtures/liperi.ts';

/** The minute's sentence, word for word. */
const MINUTE_PROPOSAL =
  'Hyvinvointilautakunta nimeää Pohjois-Karjalan hyvinvointialueen alueelliseen kumppanuusryhmään ' +
  'Liperin edustajiksi hyvinvointi- ja hankekoordinaattori Eeva Elomäen, vapaa-aikapäällikkö Reetta ' +
  'Partasen, työllisyyspalveluvastaava Sami Kuikan ja hyvinvointijohtaja Riitta Lappalaisen.';

/** Real Finnish surnames and their genitives, one pattern or more per group. */
const SURNAMES: ReadonlyArray<readonly [string, string]> = [
  // The minute's four.
  ['Elomäki', 'Elomäen'],
  ['Partanen', 'Partasen'],
  ['Kuikka', 'Kuikan'],
  ['Lappalainen', 'Lappalaisen'],
  // -nen → -sen
  ['Virtanen', 'Virtasen'],
  ['Korhonen', 'Korhosen'],
  ['Nieminen', 'Niemisen'],
  ['Mäkinen', 'Mäkisen'],
  ['Hämäläinen', 'Hämäläisen'],
  ['Heikkinen', 'Heikkisen'],
  ['Turunen', 'Turusen'],
  ['Kemppainen', 'Kemppaisen'],
  ['Rantanen', 'Rantasen'],
  // Old -i words with an -e- stem.
  ['Mäki', 'Mäen'],
  ['Lahti', 'Lahden'],
  ['Saari', 'Saaren'],
  ['Järvi', 'Järven'],
  ['Koski', 'Kosken'],
  ['Lampi', 'Lammen'],
  ['Niemi', 'Niemen'],
  ['Lehti', 'Lehden'],
  ['Joki', 'Joen'],
  ['Kivi', 'Kiven'],
  ['Salmi', 'Salmen'],
  ['Tuomi', 'Tuomen'],
  ['Vuori', 'Vuoren'],
  ['Ruohomäki', 'Ruohomäen'],
  // Newer -i words: -in, with gradation of double stops.
  ['Lappi', 'Lapin'],
  ['Kauppi', 'Kaupin'],
  // Consonant gradation before -n.
  ['Tikka', 'Tikan'],
  ['Huttu', 'Hutun'],
  ['Leppä', 'Lepän'],
  ['Honka', 'Hongan'],
  ['Ranta', 'Rannan'],
  ['Aalto', 'Aallon'],
  ['Pelto', 'Pellon'],
  ['Virta', 'Virran'],
  ['Lehto', 'Lehdon'],
  ['Kumpu', 'Kummun'],
  // Vowel endings without gradation.
  ['Mattila', 'Mattilan'],
  ['Anttila', 'Anttilan'],
  ['Heikkilä', 'Heikkilän'],
  ['Mäkelä', 'Mäkelän'],
  ['Jokela', 'Jokelan'],
  ['Kallio', 'Kallion'],
  ['Rautio', 'Raution'],
  ['Ahola', 'Aholan'],
  ['Salo', 'Salon'],
  ['Harju', 'Harjun'],
  ['Koivisto', 'Koiviston'],
  ['Lepistö', 'Lepistön'],
  ['Vaara', 'Vaaran'],
  // -e → -een, with the strong grade where the noun has it.
  ['Laine', 'Laineen'],
  ['Rinne', 'Rinteen'],
  // -s words.
  ['Kangas', 'Kankaan'],
  ['Rautakangas', 'Rautakankaan'],
  ['Kivimies', 'Kivimiehen'],
  ['Kallas', 'Kallaksen'],
  // Foreign names ending in a consonant: -in.
  ['Lindberg', 'Lindbergin'],
  ['Sjöberg', 'Sjöbergin'],
  ['Grönroos', 'Grönroosin'],
  ['Lindroos', 'Lindroosin'],
  ['Lindqvist', 'Lindqvistin'],
  ['Holmström', 'Holmströmin'],
  ['Nyman', 'Nymanin'],
  // Double surnames: the last part inflects.
  ['Virtanen-Laine', 'Virtanen-Laineen'],
  ['Mäki-Kuikka', 'Mäki-Kuikan'],
];

const NORTH_KARELIA: ReadonlyArray<readonly [string, string]> = [
  ['Heinävesi', 'Heinäveden'],
  ['Ilomantsi', 'Ilomantsin'],
  ['Joensuu', 'Joensuun'],
  ['Juuka', 'Juuan'],
  ['Kitee', 'Kiteen'],
  ['Kontiolahti', 'Kontiolahden'],
  ['Lieksa', 'Lieksan'],
  ['Liperi', 'Liperin'],
  ['Nurmes', 'Nurmeksen'],
  ['Outokumpu', 'Outokummun'],
  ['Polvijärvi', 'Polvijärven'],
  ['Rääkkylä', 'Rääkkylän'],
  ['Tohmajärvi', 'Tohmajärven'],
];

describe('genitive of names', () => {
  it.each(SURNAMES)('the surname %s becomes %s', (nominative, expected) => {
    // Act
    const result = genitive(nominative);
    // Assert
    expect(result).toBe(expected);
  });

  it('inflects only the surname of a full name', () => {
    // Arrange
    const fullName = 'Eeva Elomäki';
    // Act
    const result = personGenitive(fullName);
    // Assert
    expect(result).toBe('Eeva Elomäen');
  });

  it('inflects the last part of a hyphenated double surname after the given name', () => {
    expect(personGenitive('Anna Virtanen-Laine')).toBe('Anna Virtanen-Laineen');
  });

  it('keeps capitals where the name has them', () => {
    expect(genitive('McDonald')).toBe('McDonaldin');
    expect(genitive('VIRTANEN')).toBe('VIRTASEN');
  });

  it('ignores stray white space around and inside a full name', () => {
    expect(personGenitive('  Sami   Kuikka ')).toBe('Sami Kuikan');
  });
});

describe('genitive of municipalities and the organiser', () => {
  it.each(NORTH_KARELIA)('the North Karelian municipality %s becomes %s', (nominative, expected) => {
    expect(municipalityGenitive(nominative)).toBe(expected);
  });

  it.each([
    ['Helsinki', 'Helsingin'],
    ['Turku', 'Turun'],
    ['Tampere', 'Tampereen'],
    ['Seinäjoki', 'Seinäjoen'],
    ['Lappeenranta', 'Lappeenrannan'],
    ['Kirkkonummi', 'Kirkkonummen'],
    ['Mänttä-Vilppula', 'Mänttä-Vilppulan'],
  ])('a municipality elsewhere, %s, becomes %s', (nominative, expected) => {
    expect(municipalityGenitive(nominative)).toBe(expected);
  });

  it('inflects the last word of the organiser name', () => {
    // Arrange
    const organiser = 'Pohjois-Karjalan hyvinvointialue';
    // Act
    const result = organiserGenitive(organiser);
    // Assert
    expect(result).toBe('Pohjois-Karjalan hyvinvointialueen');
  });
});

describe('the päätösehdotus sentence', () => {
  it('reproduces the minute word for word from the four nominees', () => {
    // Arrange
    const nominees = liperiNominees();
    // Act
    const text = proposalText({
      bodyName: 'hyvinvointilautakunta',
      organiserName: 'Pohjois-Karjalan hyvinvointialue',
      municipalityName: 'Liperi',
      nominees,
    });
    // Assert
    expect(text).toBe(MINUTE_PROPOSAL);
  });

  it('names a single nominee as edustajaksi, without a list', () => {
    // Arrange
    const [first] = liperiNominees();
    const nominees = first === undefined ? [] : [first];
    // Act
    const text = proposalText({
      bodyName: 'Sivistyslautakunta',
      organiserName: 'Pohjois-Karjalan hyvinvointialue',
      municipalityName: 'Juuka',
      nominees,
    });
    // Assert
    expect(text).toBe(
      'Sivistyslautakunta nimeää Pohjois-Karjalan hyvinvointialueen alueelliseen kumppanuusryhmään Juuan ' +
        'edustajaksi hyvinvointi- ja hankekoordinaattori Eeva Elomäen.',
    );
  });

  it('joins two nominees with ja and writes a capitalised title in lower case', () => {
    // Arrange
    const nominees: Person[] = [
      { name: 'Matti Virtanen', title: 'Liikuntasihteeri', email: 'matti.virtanen@nurmes.example' },
      { name: 'Anna Lahti', title: 'IT-asiantuntija', email: 'anna.lahti@nurmes.example' },
    ];
    // Act
    const text = proposalText({
      bodyName: 'vapaa-aikalautakunta',
      organiserName: 'Pohjois-Karjalan hyvinvointialue',
      municipalityName: 'Nurmes',
      nominees,
    });
    // Assert
    expect(text).toContain(
      'Nurmeksen edustajiksi liikuntasihteeri Matti Virtasen ja IT-asiantuntija Anna Lahden.',
    );
    expect(text.startsWith('Vapaa-aikalautakunta nimeää')).toBe(true);
  });

  it('refuses an empty list of nominees', () => {
    expect(() =>
      proposalText({ bodyName: 'x', organiserName: 'y', municipalityName: 'Liperi', nominees: [] }),
    ).toThrow(RangeError);
  });
});

describe('small Finnish helpers', () => {
  it('joins lists with commas and ja', () => {
    expect(joinFi([])).toBe('');
    expect(joinFi(['a'])).toBe('a');
    expect(joinFi(['a', 'b'])).toBe('a ja b');
    expect(joinFi(['a', 'b', 'c'])).toBe('a, b ja c');
  });

  it('lowers the first letter of a title but not of an abbreviation', () => {
    expect(lowerFirst('Hyvinvointijohtaja')).toBe('hyvinvointijohtaja');
    expect(lowerFirst('HR-päällikkö')).toBe('HR-päällikkö');
  });

  it('says how often a group meets as the minute does', () => {
    expect(timesPerYearFi(4)).toBe('neljä kertaa vuodessa');
    expect(timesPerYearFi(1)).toBe('kerran vuodessa');
    expect(timesPerYearFi(12)).toBe('12 kertaa vuodessa');
  });
});

describe('Finnish dates', () => {
  it('writes a calendar date without leading zeros', () => {
    expect(formatDateFi('2023-11-30')).toBe('30.11.2023');
    expect(formatDateFi('2024-01-01')).toBe('1.1.2024');
  });

  it('refuses what is not a real calendar date', () => {
    expect(() => formatDateFi('30.11.2023')).toThrow(RangeError);
    expect(() => formatDateFi('2023-02-30')).toThrow(RangeError);
  });

  it('writes a moment in Finnish time, winter and summer', () => {
    // UTC+2 in November, UTC+3 in June.
    expect(formatDateTimeFi('2023-11-30T12:05:00Z')).toBe('30.11.2023 klo 14.05');
    expect(formatDateTimeFi('2023-06-01T06:05:00Z')).toBe('1.6.2023 klo 9.05');
  });

  it('moves a late UTC evening to the next Finnish day', () => {
    expect(formatDateTimeFi('2023-11-30T22:30:00Z')).toBe('1.12.2023 klo 0.30');
  });

  it('refuses a string that is no date-time', () => {
    expect(() => formatDateTimeFi('eilen')).toThrow(RangeError);
  });
});
