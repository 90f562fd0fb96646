import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RoundFileError } from '../../functions/domain/errors.ts';
import { parseRoundFile } from '../../functions/domain/round-file.ts';
import type { Decision, Nomination, Person, Round } from '../../functions/domain/types.ts';
import {
  activateGroup,
  applyMemberChange,
  completeRound,
  recordMembers,
} from '../../functions/use-cases/members.ts';
import { startRound } from '../../functions/use-cases/start-round.ts';
import { memoryDeps } from '../fakes/memory.ts';
import { liperiNominees } from '../fixtures/liperi.ts';

const example = readFileSync(new URL('../../examples/pohjois-karjala-2024.yaml', import.meta.url), 'utf8');
const ORGANISER = 'kirjaamo@siunsote.example';
const GROUP = 'joensuun-seutu';

function person(name: string, municipalityId: string, title = 'hyvinvointikoordinaattori'): Person {
  const ascii = name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
  const email = `${ascii.replace(/[^a-z]+/g, '.')}@${municipalityId}.example`;
  return { name, title, email };
}

/** Members of the Joensuu-area municipalities other than Liperi, one or two each; Polvijärvi names no one. */
const OTHERS: Record<string, Person[]> = {
  joensuu: [person('Aino Hakkarainen', 'joensuu'), person('Eino Turunen', 'joensuu', 'liikuntapäällikkö')],
  ilomantsi: [person('Helmi Räsänen', 'ilomantsi')],
  kontiolahti: [person('Onni Koponen', 'kontiolahti')],
  outokumpu: [person('Kerttu Hyvönen', 'outokumpu')],
};

function decision(nominees: Person[]): Decision {
  return {
    outcome: 'adopted',
    meetingDate: '2023-11-14',
    section: '87',
    text: 'Hyväksyttiin päätösehdotus.',
    nominees,
    decidedAt: '2023-11-20T10:00:00Z',
    recordedBy: 'hyvinvointilautakunta@liperi.example',
  };
}

describe('a group’s start and its first year', () => {
  let deps: ReturnType<typeof memoryDeps>;
  let round: Round;

  /** The example round stored, every nomination in the given status (members when completed). */
  async function storeRound(status: (municipalityId: string) => Nomination['status']) {
    round = parseRoundFile(example);
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: 'x' });
    for (const group of round.groups) {
      await deps.store.putGroupIfAbsent({
        roundId: round.id,
        groupId: group.id,
        status: 'planned',
        members: [],
      });
      for (const municipalityId of group.municipalityIds) {
        const nominees = municipalityId === 'liperi' ? liperiNominees() : (OTHERS[municipalityId] ?? []);
        const s = status(municipalityId);
        await deps.store.putNominationIfAbsent({
          roundId: round.id,
          municipalityId,
          groupId: group.id,
          status: s,
          ...(nominees.length > 0 && s !== 'no_answer' && { decision: decision(nominees) }),
          ...(s === 'completed' && nominees.length > 0 && { members: nominees }),
          updatedAt: 'x',
          version: 1,
        });
      }
    }
  }

  const mails = (purpose: string | RegExp) =>
    deps.mailer.sent.filter((m) =>
      typeof purpose === 'string' ? m.purpose === purpose : purpose.test(m.purpose),
    );
  const recipients = (purpose: string | RegExp) =>
    mails(purpose)
      .map((m) => m.recipient)
      .sort();

  beforeEach(() => {
    deps = memoryDeps(new Date('2024-01-01T06:00:00Z'));
  });

  it('welcomes every member once — municipal members, the county’s own and the partners — with roster, plan and .ics', async () => {
    // prepare: every municipality decided except Polvijärvi, which did not answer
    await storeRound((id) => (id === 'polvijarvi' ? 'no_answer' : 'completed'));

    // act: the step and its retry
    const first = await activateGroup({ roundId: round.id, groupId: GROUP }, deps);
    await activateGroup({ roundId: round.id, groupId: GROUP }, deps);

    // assess
    expect(first).toEqual({ members: 9, missing: ['Polvijärvi'] });
    const group = round.groups.find((g) => g.id === GROUP);
    const everyone = [
      ...liperiNominees(),
      ...Object.values(OTHERS).flat(),
      ...(group?.representatives ?? []),
      ...(group?.partners ?? []),
    ].map((p) => p.email);
    expect(everyone).toHaveLength(15);
    expect(recipients('welcome')).toEqual(everyone.toSorted());
    const welcome = mails('welcome').find((m) => m.recipient === 'eeva.elomaki@liperi.example')?.content;
    expect(welcome?.subject).toBe(
      'Tervetuloa: Joensuun seudun alueellinen kumppanuusryhmä aloittaa 1.1.2024',
    );
    expect(welcome?.text).toContain(
      'Sinut on nimetty Liperin edustajaksi ryhmään ”Joensuun seudun alueellinen kumppanuusryhmä”',
    );
    expect(welcome?.text).toContain('ti 21.5.2024 klo 9.00–12.00 Vuotuinen hyvinvointineuvottelu');
    expect(welcome?.text).toContain('Liperin seurakunta\n- Jukka Jäskeläinen, diakoniatyön johtaja');
    const partnerWelcome = mails('welcome').find(
      (m) => m.recipient === 'anu.asikainen@pohjois-karjala.example',
    );
    expect(partnerWelcome?.content.text).toContain('jäseneksi (Pohjois-Karjalan maakuntaliitto)');
    // Every welcome carries the calendar, which an independent parser reads as four Helsinki meetings.
    for (const mail of mails('welcome')) {
      const [attachment] = mail.content.attachments ?? [];
      expect(attachment?.filename).toBe('kumppanuusryhma-joensuun-seutu.ics');
      expect(attachment?.contentType).toMatch(/^text\/calendar/);
    }
    const ics = String(welcome?.attachments?.[0]?.content);
    const events = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent');
    expect(events).toHaveLength(4);
    expect(events[0]?.getFirstProperty('dtstart')?.getParameter('tzid')).toBe('Europe/Helsinki');
    expect((await deps.store.getGroup(round.id, GROUP))?.status).toBe('active');
  });

  it('sends the organiser the roster by municipality with titles and work contacts, the missing ones and the plan', async () => {
    await storeRound((id) => (id === 'polvijarvi' ? 'no_answer' : 'completed'));

    await activateGroup({ roundId: round.id, groupId: GROUP }, deps);

    expect(recipients('roster')).toEqual([ORGANISER]);
    const roster = mails('roster')[0]?.content;
    expect(roster?.text).toContain(
      'Liperi\n- Eeva Elomäki, hyvinvointi- ja hankekoordinaattori, eeva.elomaki@liperi.example\n',
    );
    expect(roster?.text).toContain(
      '- Riitta Lappalainen, hyvinvointijohtaja, riitta.lappalainen@liperi.example, p. 040 834 7185',
    );
    expect(roster?.text).toMatch(/^Pohjois-Karjalan hyvinvointialue\n- Kaisa Kemppainen/m);
    expect(roster?.text).toContain('Edustajia eivät ole nimenneet: Polvijärvi.');
    expect(roster?.text).toContain('Jäseniä on 15.');
    expect(roster?.attachments?.[0]?.filename).toBe('kumppanuusryhma-joensuun-seutu.ics');
    // Sections: the county first, municipalities in Finnish order, then the partners.
    const headings = (roster?.text ?? '')
      .split('\n')
      .filter((l, i, all) => !l.startsWith('- ') && all[i + 1]?.startsWith('- '));
    expect(headings.slice(0, 6)).toEqual([
      'Pohjois-Karjalan hyvinvointialue',
      'Ilomantsi',
      'Joensuu',
      'Kontiolahti',
      'Liperi',
      'Outokumpu',
    ]);
  });

  it('tells each municipality’s contact that the group started, also the one that named no one', async () => {
    await storeRound((id) => (id === 'polvijarvi' ? 'no_answer' : 'completed'));

    await activateGroup({ roundId: round.id, groupId: GROUP }, deps);
    await activateGroup({ roundId: round.id, groupId: GROUP }, deps);

    const presenters = round.municipalities
      .filter((m) => round.groups.find((g) => g.id === GROUP)?.municipalityIds.includes(m.id))
      .map((m) => m.presenter.email);
    expect(recipients('group-started')).toEqual(presenters.toSorted());
    const polvijarvi = mails('group-started').find((m) => m.scope === 'polvijarvi')?.content.text;
    expect(polvijarvi).toContain('Polvijärvi ei ole nimennyt ryhmään edustajia.');
    const liperi = mails('group-started').find((m) => m.scope === 'liperi')?.content.text;
    expect(liperi).toContain('Liperin edustajat ryhmässä:\n- Eeva Elomäki');
  });

  it('activates a group with no members at its start and tells the organiser every municipality is missing', async () => {
    await storeRound(() => 'no_answer');

    const result = await activateGroup({ roundId: round.id, groupId: 'pielisen-karjala' }, deps);

    expect(result).toEqual({ members: 0, missing: ['Juuka', 'Lieksa', 'Nurmes'] });
    expect((await deps.store.getGroup(round.id, 'pielisen-karjala'))?.status).toBe('active');
    expect(mails('roster')[0]?.content.text).toContain(
      'Edustajia eivät ole nimenneet: Juuka, Lieksa ja Nurmes.',
    );
    // the county's representative and the partner are members all the same
    expect(recipients('welcome')).toEqual(['olli.oinonen@pikes.example', 'tiina.turunen@siunsote.example']);
  });

  it('lets a municipality decided after the start join the active group: welcome to its members, updated roster to the organiser', async () => {
    // prepare: the group started while Liperi's excerpts were still going out
    await storeRound((id) =>
      id === 'liperi' ? 'excerpts_sent' : id === 'polvijarvi' ? 'no_answer' : 'completed',
    );
    await activateGroup({ roundId: round.id, groupId: GROUP }, deps);
    const welcomedAtStart = recipients('welcome');

    // act: Liperi's RecordMembers, and its retry
    await recordMembers({ roundId: round.id, municipalityId: 'liperi' }, deps);
    await recordMembers({ roundId: round.id, municipalityId: 'liperi' }, deps);

    // assess
    expect(welcomedAtStart).not.toContain('eeva.elomaki@liperi.example');
    expect(recipients('welcome')).toEqual(
      [...welcomedAtStart, ...liperiNominees().map((p) => p.email)].sort(),
    );
    expect(recipients('roster-update:liperi')).toEqual([ORGANISER]);
    const update = mails('roster-update:liperi')[0]?.content;
    expect(update?.subject).toBe('Kokoonpano muuttunut: Joensuun seudun alueellinen kumppanuusryhmä');
    expect(update?.text).toContain(
      'Liperi nimesi ryhmään Eeva Elomäki, Reetta Partanen, Sami Kuikka ja Riitta Lappalainen.',
    );
    const group = await deps.store.getGroup(round.id, GROUP);
    expect(group?.members.filter((m) => m.municipalityId === 'liperi')).toHaveLength(4);
    expect(group?.status).toBe('active');
  });

  it('replaces a member after the start: the roster changes, the one who leaves and the one who joins are told once', async () => {
    // prepare
    await storeRound((id) => (id === 'polvijarvi' ? 'no_answer' : 'completed'));
    await activateGroup({ roundId: round.id, groupId: GROUP }, deps);
    const successor: Person = {
      name: 'Tuomas Tanskanen',
      title: 'työllisyyskoordinaattori',
      email: 'tuomas.tanskanen@liperi.example',
    };
    const after = [...liperiNominees().filter((p) => p.name !== 'Sami Kuikka'), successor];

    // act: the change and a retry of it
    const change = await applyMemberChange({ roundId: round.id, municipalityId: 'liperi' }, after, deps);
    await applyMemberChange({ roundId: round.id, municipalityId: 'liperi' }, after, deps);

    // assess
    expect(change.leaving.map((p) => p.name)).toEqual(['Sami Kuikka']);
    expect(change.joining.map((p) => p.name)).toEqual(['Tuomas Tanskanen']);
    expect(recipients(/^member-left:/)).toEqual(['sami.kuikka@liperi.example']);
    expect(recipients(/^member-joined:/)).toEqual(['tuomas.tanskanen@liperi.example']);
    expect(recipients(/^roster-change:/)).toEqual([ORGANISER]);
    const farewell = mails(/^member-left:/)[0]?.content.text;
    expect(farewell).toContain('Tilallesi on nimetty työllisyyskoordinaattori Tuomas Tanskanen.');
    const joined = mails(/^member-joined:/)[0]?.content;
    expect(joined?.text).toContain('Sinut on nimetty Liperin edustajaksi Sami Kuikka tilalle');
    expect(joined?.attachments?.[0]?.filename).toBe('kumppanuusryhma-joensuun-seutu.ics');
    expect(mails(/^roster-change:/)[0]?.content.text).toContain('Tuomas Tanskanen, työllisyyskoordinaattori');
    expect(mails(/^roster-change:/)[0]?.content.text).not.toContain('- Sami Kuikka');
    expect((await deps.store.getNomination(round.id, 'liperi'))?.members).toEqual(after);
    const liperiInGroup = (await deps.store.getGroup(round.id, GROUP))?.members
      .filter((m) => m.municipalityId === 'liperi')
      .map((m) => m.name);
    expect(liperiInGroup).toEqual(after.map((p) => p.name));
  });

  it('only updates the members when the change comes before the group started', async () => {
    await storeRound(() => 'completed');
    const after = liperiNominees().slice(0, 2);

    await applyMemberChange({ roundId: round.id, municipalityId: 'liperi' }, after, deps);

    expect(deps.mailer.sent).toEqual([]);
    expect((await deps.store.getNomination(round.id, 'liperi'))?.members).toEqual(after);
    await activateGroup({ roundId: round.id, groupId: GROUP }, deps);
    expect(recipients('welcome')).not.toContain('sami.kuikka@liperi.example');
  });
});

describe('the round’s status', () => {
  it('is completed only when every group is active and no nomination still runs', async () => {
    // prepare
    const deps = memoryDeps();
    const round = parseRoundFile(example);
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: 'x' });
    for (const group of round.groups) {
      await deps.store.putGroupIfAbsent({
        roundId: round.id,
        groupId: group.id,
        status: 'planned',
        members: [],
      });
      for (const municipalityId of group.municipalityIds) {
        await deps.store.putNominationIfAbsent({
          roundId: round.id,
          municipalityId,
          groupId: group.id,
          status: municipalityId === 'liperi' ? 'awaiting_decision' : 'no_answer',
          updatedAt: 'x',
          version: 1,
        });
      }
    }

    // act and assess: groups still planned
    expect(await completeRound(round.id, deps)).toMatchObject({
      completed: false,
      groupsNotActive: ['joensuun-seutu', 'keski-karjala', 'pielisen-karjala'],
    });
    for (const group of round.groups) await activateGroup({ roundId: round.id, groupId: group.id }, deps);
    // all active, Liperi still waiting for its decision
    expect(await completeRound(round.id, deps)).toEqual({
      completed: false,
      groupsNotActive: [],
      nominationsRunning: ['liperi'],
    });
    expect((await deps.store.getRound(round.id))?.status).toBe('activating');
    // Liperi decides late and joins: that completes the round
    const liperi = await deps.store.getNomination(round.id, 'liperi');
    if (!liperi) throw new Error('stored above');
    await deps.store.saveNomination({
      ...liperi,
      status: 'excerpts_sent',
      decision: decision(liperiNominees()),
      version: 2,
    });
    await recordMembers({ roundId: round.id, municipalityId: 'liperi' }, deps);
    expect((await deps.store.getRound(round.id))?.status).toBe('completed');
  });
});

describe('a round file that cannot make groups', () => {
  it.each([
    ['a start date before the deadline', { startDate: '2023-11-01' }, 'startDate'],
    ['more than twelve meetings a year', { meetingsPerYear: 13 }, 'meetingsPerYear'],
    ['no meetings', { meetingsPerYear: 0 }, 'meetingsPerYear'],
  ])('gets a clear error for %s, and nothing is stored or started', async (_case, change, field) => {
    // prepare
    const deps = memoryDeps(new Date('2023-10-02T09:00:00Z'));
    const started: string[] = [];
    const file = { ...parseYaml(example), ...change };

    // act
    const attempt = startRound(JSON.stringify(file), {
      store: deps.store,
      clock: deps.clock,
      rounds: {
        start: async (id: string) => {
          started.push(id);
          return { executionArn: id };
        },
      },
    });

    // assess
    await expect(attempt).rejects.toBeInstanceOf(RoundFileError);
    await expect(attempt).rejects.toMatchObject({ fieldErrors: [expect.objectContaining({ field })] });
    expect(deps.store.rounds.size).toBe(0);
    expect(started).toEqual([]);
  });

  it('names the group that has no municipalities', async () => {
    const file = parseYaml(example);
    file.groups[2].municipalities = [];

    expect(() => parseRoundFile(JSON.stringify(file))).toThrow(
      expect.objectContaining({
        fieldErrors: expect.arrayContaining([
          { field: 'groups[2].municipalities', message: 'Ryhmään pitää kuulua vähintään yksi kunta' },
        ]),
      }),
    );
  });
});
