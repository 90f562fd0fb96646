import { beforeEach, describe, expect, it } from 'vitest';
import {
  LinkNotUsableError,
  NotFoundError,
  RoundFileError,
  ValidationError,
} from '../../functions/domain/errors.ts';
import type { Round } from '../../functions/domain/types.ts';
import { sendExcerpts } from '../../functions/use-cases/excerpts.ts';
import { openLink, submitLink } from '../../functions/use-cases/link-actions.ts';
import { activateGroup, recordMembers } from '../../functions/use-cases/members.ts';
import { recordFailure, recordNoAnswer } from '../../functions/use-cases/outcomes.ts';
import { recordRound } from '../../functions/use-cases/record-round.ts';
import { requestAction } from '../../functions/use-cases/request-action.ts';
import { startRound } from '../../functions/use-cases/start-round.ts';
import { memoryDeps } from '../fakes/memory.ts';
import { liperiNominees, liperiRound } from '../fixtures/liperi.ts';

const tokenOf = (url: string) => url.split('/l/')[1] as string;

function nomineeFields() {
  const fields: Record<string, string> = {};
  liperiNominees().forEach((p, i) => {
    fields[`nominees.${i}.name`] = p.name;
    fields[`nominees.${i}.title`] = p.title;
    fields[`nominees.${i}.email`] = p.email;
    fields[`nominees.${i}.phone`] = p.phone ?? '';
  });
  return fields;
}

describe('a Liperi nomination through the use cases', () => {
  let deps: ReturnType<typeof memoryDeps>;
  let round: Round;
  const ref = () => ({ roundId: round.id, municipalityId: 'liperi' });

  beforeEach(async () => {
    deps = memoryDeps();
    round = liperiRound();
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: '' });
    await recordRound(round.id, deps);
  });

  async function propose() {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 'sfn-token-proposal' }, deps);
    const token = tokenOf(deps.mailer.linkFor('riitta.lappalainen@liperi.example'));
    return submitLink(token, { ...nomineeFields(), text: '' }, { ip: '192.0.2.1', userAgent: 'test' }, deps);
  }

  it('plans one pending nomination per municipality and a timeout until the deadline', async () => {
    // prepare: the round was recorded in beforeEach on 2023-10-02 09:00 UTC
    // act
    const plan = await recordRound(round.id, deps);
    // assess: deadline 2023-11-30 23:59:59 Helsinki (UTC+2) is 59 days and ~12.9 hours later
    expect(plan.nominations).toEqual([
      expect.objectContaining({ municipalityId: 'liperi', executionName: `${round.id}--liperi` }),
    ]);
    expect(plan.nominations[0]?.wait.timeoutSeconds).toBe(
      Math.ceil((Date.parse('2023-11-30T21:59:59Z') - Date.parse('2023-10-02T09:00:00Z')) / 1000),
    );
    expect(plan.startsAt).toBe('2023-12-31T22:00:00.000Z');
    expect((await deps.store.getNomination(round.id, 'liperi'))?.status).toBe('pending');
  });

  it('mails the preparer a link that never contains the Step Functions task token', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 'sfn-secret-token' }, deps);
    const [mail] = deps.mailer.sent;
    expect(mail?.recipient).toBe('riitta.lappalainen@liperi.example');
    expect(mail?.purpose).toBe('proposal-request');
    expect(JSON.stringify(mail)).not.toContain('sfn-secret-token');
    const token = tokenOf(deps.mailer.linkFor('riitta.lappalainen@liperi.example'));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the hash is stored.
    expect([...deps.store.links.keys()]).not.toContain(token);
    expect((await deps.store.getNomination(round.id, 'liperi'))?.status).toBe('awaiting_proposal');
  });

  it('sends the request once when the step is retried, and resumes the newest task', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 'first-attempt' }, deps);
    await requestAction({ ...ref(), step: 'proposal', taskToken: 'second-attempt' }, deps);
    expect(deps.mailer.sent).toHaveLength(1);
    const token = tokenOf(deps.mailer.linkFor('riitta.lappalainen@liperi.example'));
    await submitLink(token, { ...nomineeFields() }, {}, deps);
    expect(deps.callbacks.succeeded.map((c) => c.taskToken)).toEqual(['second-attempt']);
  });

  it("builds the minute's proposal text when the preparer leaves it empty", async () => {
    const { nomination } = await propose();
    expect(nomination.proposal?.text).toBe(
      'Hyvinvointilautakunta nimeää Pohjois-Karjalan hyvinvointialueen alueelliseen kumppanuusryhmään Liperin edustajiksi hyvinvointi- ja hankekoordinaattori Eeva Elomäen, vapaa-aikapäällikkö Reetta Partasen, työllisyyspalveluvastaava Sami Kuikan ja hyvinvointijohtaja Riitta Lappalaisen.',
    );
    expect(nomination.status).toBe('awaiting_approval');
    expect(deps.callbacks.succeeded[0]).toMatchObject({
      taskToken: 'sfn-token-proposal',
      output: { step: 'proposal' },
    });
    expect(deps.store.audit[0]).toMatchObject({
      action: 'proposal-submitted',
      actor: 'riitta.lappalainen@liperi.example',
    });
    expect(deps.store.audit[0]?.clientIpHash).not.toContain('192.0.2.1');
  });

  it('acts once: a used link answers "used" and changes nothing', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't' }, deps);
    const token = tokenOf(deps.mailer.linkFor('riitta.lappalainen@liperi.example'));
    await submitLink(token, nomineeFields(), {}, deps);
    const before = await deps.store.getNomination(round.id, 'liperi');
    await expect(submitLink(token, nomineeFields(), {}, deps)).rejects.toMatchObject({ reason: 'used' });
    await expect(openLink(token, deps)).rejects.toBeInstanceOf(LinkNotUsableError);
    expect(await deps.store.getNomination(round.id, 'liperi')).toEqual(before);
    expect(deps.callbacks.succeeded).toHaveLength(1);
  });

  it('stores nothing and resumes nothing when the form is invalid', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't' }, deps);
    const token = tokenOf(deps.mailer.linkFor('riitta.lappalainen@liperi.example'));
    const before = await deps.store.getNomination(round.id, 'liperi');
    const bad = { ...nomineeFields(), 'nominees.1.email': 'ei-osoite' };
    const error = await submitLink(token, bad, {}, deps).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.fieldErrors).toEqual([expect.objectContaining({ field: 'nominees.1.email' })]);
    expect(await deps.store.getNomination(round.id, 'liperi')).toEqual(before);
    expect(deps.callbacks.succeeded).toHaveLength(0);
    expect((await openLink(token, deps)).step).toBe('proposal');
  });

  it('rejects unknown, malformed and expired links', async () => {
    await expect(openLink('x'.repeat(43), deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openLink('../../etc/passwd', deps)).rejects.toBeInstanceOf(NotFoundError);
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't' }, deps);
    const token = tokenOf(deps.mailer.linkFor('riitta.lappalainen@liperi.example'));
    deps.clock.current = new Date('2023-12-01T00:00:00Z');
    await expect(openLink(token, deps)).rejects.toMatchObject({ reason: 'expired' });
  });

  it('goes from proposal to excerpts, members and an active group, each mail once', async () => {
    await propose();
    await requestAction({ ...ref(), step: 'approval', taskToken: 'a' }, deps);
    // Preparer and presenter are the same person in the minute: she gets the approval link too.
    const approvalToken = tokenOf(deps.mailer.linkFor('riitta.lappalainen@liperi.example'));
    await submitLink(approvalToken, { action: 'approve' }, {}, deps);
    await requestAction({ ...ref(), step: 'decision', taskToken: 'd' }, deps);
    const decisionToken = tokenOf(deps.mailer.linkFor('hyvinvointilautakunta@liperi.example'));
    await submitLink(
      decisionToken,
      { outcome: 'adopted', meetingDate: '2023-11-14', section: '45', text: 'Hyväksyttiin päätösehdotus.' },
      {},
      deps,
    );
    await sendExcerpts(ref(), deps);
    await sendExcerpts(ref(), deps); // a retried step
    await recordMembers(ref(), deps);
    await activateGroup({ roundId: round.id, groupId: 'keski-karjala' }, deps);
    await activateGroup({ roundId: round.id, groupId: 'keski-karjala' }, deps);

    const byPurpose = (purpose: string) =>
      deps.mailer.sent
        .filter((m) => m.purpose === purpose)
        .map((m) => m.recipient)
        .sort();
    expect(byPurpose('excerpt')).toEqual(['kirjaamo@siunsote.example']);
    expect(byPurpose('excerpt-copy')).toEqual([
      'eeva.elomaki@liperi.example',
      'kunnanhallitus@liperi.example',
      'reetta.partanen@liperi.example',
      'sami.kuikka@liperi.example',
    ]);
    expect(byPurpose('welcome')).toEqual(
      liperiNominees()
        .map((p) => p.email)
        .sort(),
    );
    expect(byPurpose('roster')).toEqual(['kirjaamo@siunsote.example']);
    const excerpt = deps.mailer.sent.find((m) => m.purpose === 'excerpt')?.content.text ?? '';
    expect(excerpt).toContain('Hyväksyttiin päätösehdotus.');
    expect(excerpt).toContain('Eeva Elomäen');
    const nomination = await deps.store.getNomination(round.id, 'liperi');
    expect(nomination?.status).toBe('completed');
    expect(nomination?.members).toHaveLength(4);
    expect(await deps.store.getGroup(round.id, 'keski-karjala')).toMatchObject({ status: 'active' });
  });

  it('ends a silent municipality as "no answer", kills its link and tells the organiser', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't' }, deps);
    const token = tokenOf(deps.mailer.linkFor('riitta.lappalainen@liperi.example'));
    await recordNoAnswer(ref(), deps);
    await recordNoAnswer(ref(), deps);
    expect((await deps.store.getNomination(round.id, 'liperi'))?.status).toBe('no_answer');
    await expect(openLink(token, deps)).rejects.toMatchObject({ reason: 'superseded' });
    expect(deps.mailer.sent.filter((m) => m.purpose === 'no-answer').map((m) => m.recipient)).toEqual([
      'kirjaamo@siunsote.example',
    ]);
    const activation = await activateGroup({ roundId: round.id, groupId: 'keski-karjala' }, deps);
    expect(activation).toEqual({ members: 0, missing: ['Liperi'] });
  });

  it('records a failure on the nomination for the admins', async () => {
    await recordFailure({ ...ref(), error: 'SeatLimitError', cause: 'too many' }, deps);
    expect(await deps.store.getNomination(round.id, 'liperi')).toMatchObject({
      status: 'failed',
      failure: { error: 'SeatLimitError', cause: 'too many' },
    });
  });
});

describe('starting a round', () => {
  const file = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({ ...roundFileOf(liperiRound()), ...overrides });

  function roundFileOf(round: Round) {
    const { groups, ...rest } = round;
    return {
      ...rest,
      groups: groups.map(({ municipalityIds, ...g }) => ({ ...g, municipalities: municipalityIds })),
    };
  }

  function starter() {
    const deps = memoryDeps(new Date('2023-10-02T09:00:00Z'));
    const started: string[] = [];
    return {
      deps,
      started,
      startDeps: {
        store: deps.store,
        clock: deps.clock,
        rounds: {
          start: async (id: string) => {
            started.push(id);
            return { executionArn: `arn:${id}` };
          },
        },
      },
    };
  }

  it('stores the round and starts its execution once, even when started twice', async () => {
    const { deps, started, startDeps } = starter();
    const first = await startRound(file(), startDeps);
    const second = await startRound(file(), startDeps);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(deps.store.rounds.size).toBe(1);
    expect(started).toEqual([first.round.id, first.round.id]); // the engine dedupes by execution name
  });

  it('refuses a different file under an existing id, and a deadline in the past', async () => {
    const { deps, startDeps } = starter();
    await startRound(file(), startDeps);
    await expect(startRound(file({ title: 'Toinen' }), startDeps)).rejects.toThrow(/eri sisällöllä/);
    deps.clock.current = new Date('2024-01-05T00:00:00Z');
    const error = await startRound(file({ id: 'later' }), startDeps).catch((e) => e);
    expect(error).toBeInstanceOf(RoundFileError);
    expect(error.fieldErrors[0].field).toBe('deadline');
  });

  it('stores nothing for an invalid file', async () => {
    const { deps, started, startDeps } = starter();
    await expect(startRound(file({ seats: { min: 3, max: 2 } }), startDeps)).rejects.toBeInstanceOf(
      RoundFileError,
    );
    expect(deps.store.rounds.size).toBe(0);
    expect(started).toHaveLength(0);
  });
});
