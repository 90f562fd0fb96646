/**
 * The round the hostile-input suite runs on: six municipalities, each left at a different
 * point (waiting for a proposal, an approval, a decision; decided; expired; superseded),
 * and markup in every text field of the round file, so that every page, mail and PDF
 * those fields reach shows whether it escapes them.
 */
import type { Municipality, Person, Round } from '../../functions/domain/types.ts';

/** Markup that must never run: a script, an event handler, an attribute break-out. */
export const MARKUP = '<script>alert(1)</script><img src=x onerror=alert(2)>';
/** How MARKUP reads in escaped HTML. */
export const MARKUP_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;';

/** The municipalities, named after where the suite leaves them. */
export const HOSTILE_MUNICIPALITIES = [
  'odottaa', // waiting for the preparer's proposal
  'hyvaksynta', // waiting for the presenter's approval
  'paatos', // waiting for the secretary's decision
  'valmis', // decided with hostile but legal values; excerpts sent
  'vanhentunut', // its deadline has passed
  'korvattu', // its proposal link was resent: the first one is superseded
  'tarkastus', // decided, waiting for its two minute checkers
] as const;
export type HostileMunicipality = (typeof HOSTILE_MUNICIPALITIES)[number];

export const preparerOf = (id: HostileMunicipality) => `valmistelija@${id}.example`;
export const presenterOf = (id: HostileMunicipality) => `esittelija@${id}.example`;
export const secretaryOf = (id: HostileMunicipality) => `sihteeri@${id}.example`;
export const registryOf = (id: HostileMunicipality) => `kirjaamo@${id}.example`;
export const boardOf = (id: HostileMunicipality) => `hallitus@${id}.example`;
export const ORGANISER_REGISTRY = 'kirjaamo@hyvinvointialue.example';
/** The minute checkers: tarkastus has two, valmis one (with markup in the name). */
export const checkerOf = (id: HostileMunicipality, n = 1) => `tarkastaja${n}@${id}.example`;

function person(name: string, title: string, email: string): Person {
  return { name, title, email };
}

function municipality(id: HostileMunicipality, name: string): Municipality {
  // Markup in every text field of the municipality that reaches pages, mails and the excerpt.
  const marked = id === 'valmis';
  const m = (text: string) => (marked ? `${text} ${MARKUP}` : text);
  return {
    id,
    name: m(name),
    registryEmail: registryOf(id),
    boardEmail: boardOf(id),
    preparer: person(m('Valma Valmistelija'), m('hyvinvointikoordinaattori'), preparerOf(id)),
    presenter: person(m('Eino Esittelijä'), m('hyvinvointijohtaja'), presenterOf(id)),
    body: {
      name: m('hyvinvointilautakunta'),
      secretaryEmail: secretaryOf(id),
      secretaryName: m('Sirpa Sihteeri'),
      secretaryTitle: m('hallintosihteeri'),
    },
    postalAddress: m('PL 1, 80100 Joensuu'),
    ...(id === 'tarkastus' && {
      minuteCheckers: [
        { name: 'Terttu Tarkastaja', email: checkerOf(id, 1) },
        { name: 'Toivo Tarkastaja', email: checkerOf(id, 2), title: 'lautakunnan jäsen' },
      ],
    }),
    ...(marked && {
      minuteCheckers: [{ name: m('Kalle Tarkastaja'), email: checkerOf(id), title: m('jäsen') }],
    }),
  };
}

/** The round, dates as in the minute (roundFile() moves them to start today). */
export function hostileRound(id: string): Round {
  return {
    id,
    title: `Edustajien nimeäminen kumppanuusryhmiin ${MARKUP}`,
    caseText: `Hyvinvointialue pyytää kuntia nimeämään edustajansa. ${MARKUP}\n\nToinen kappale: "lainaus" & 'heittomerkit' ${MARKUP}`,
    organiser: {
      name: `Testin hyvinvointialue ${MARKUP}`,
      registryEmail: ORGANISER_REGISTRY,
      contact: person(
        `Tiina Yhteyshenkilö ${MARKUP}`,
        `koordinaattori ${MARKUP}`,
        'tiina@hyvinvointialue.example',
      ),
    },
    seats: { min: 1, max: 4 },
    requestDate: '2023-10-02',
    deadline: '2023-11-30',
    startDate: '2024-01-01',
    meetingsPerYear: 4,
    groups: [
      {
        id: 'testiryhma',
        name: `Testin kumppanuusryhmä ${MARKUP}`,
        municipalityIds: [...HOSTILE_MUNICIPALITIES],
        representatives: [
          person(`Riku Edustaja ${MARKUP}`, `asiantuntija ${MARKUP}`, 'riku@hyvinvointialue.example'),
        ],
        partners: [
          {
            ...person(`Paula Kumppani ${MARKUP}`, `toiminnanjohtaja ${MARKUP}`, 'paula@jarjesto.example'),
            organisation: `Järjestö ry ${MARKUP}`,
          },
        ],
      },
    ],
    municipalities: [
      municipality('odottaa', 'Odottaa'),
      municipality('hyvaksynta', 'Hyväksyntä'),
      municipality('paatos', 'Päätös'),
      municipality('valmis', 'Valmis'),
      municipality('vanhentunut', 'Vanhentunut'),
      municipality('korvattu', 'Korvattu'),
      municipality('tarkastus', 'Tarkastus'),
    ],
  };
}

/** Nominees a municipality proposes when the suite only needs it to move on. */
export function plainNominees(id: HostileMunicipality): Person[] {
  return [person('Anna Ehdokas', 'suunnittelija', `anna.ehdokas@${id}.example`)];
}

/**
 * Hostile but legal nominees, each a known trick:
 * a spreadsheet formula (the CSV export must not run it), markup (escaped everywhere),
 * a name pasted in decomposed form with a zero-width space (stored NFC, the space
 * neutralised), and a name with CR LF and a header line in it (one line, never a header).
 */
export function hostileNominees(): Person[] {
  return [
    person('=HYPERLINK("http://evil.example","klik") Kaija', 'suunnittelija', 'kaija@valmis.example'),
    person(`Eeva ${MARKUP}`, `koordinaattori ${MARKUP}`, 'eeva@valmis.example'),
    person('Reetta\u200b Elomäki'.normalize('NFD'), 'vapaa-aikapäällikkö', 'reetta@valmis.example'),
    person('Sami\r\nBcc: victim@attacker.example\r\nKuikka', 'työllisyysvastaava', 'sami@valmis.example'),
  ];
}
