/** The corrected decision on the in-memory fakes: corrected excerpt, member change, retries, refusals. */
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../functions/domain/errors.ts';
import type { Nomination, Person } from '../../functions/domain/types.ts';
import { correctDecisionAsAdmin } from '../../functions/use-cases/admin-actions.ts';
import { CORRECTION_MESSAGES, sendCorrection } from '../../functions/use-cases/correct-decision.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';
import {
  type CorrectDecisionInput,
  recordCorrectedDecision,
} from '../../functions/use-cases/record-correction.ts';

/** Both halves in one go, as the console's request and the SendCorrection step do them. */
async function correctDecision(input: CorrectDecisionInput, deps: Deps) {
  const recorded = await recordCorrectedDecision(input, deps);
  return { ...recorded, ...(await sendCorrection(input, deps)) };
}

import { sendExcerpts } from '../../functions/use-cases/excerpts.ts';
import { activateGroup, recordMembers } from '../../functions/use-cases/members.ts';
import { memoryDeps } from '../fakes/memory.ts';
import { GROUP_ID, liperiDecision, liperiNominees, liperiProposal, liperiRound } from '../fixtures/liperi.ts';

const SUCCESSOR: Person = {
  name: 'Tuomas Tanskanen',
  title: 'työllisyyskoordinaattori',
  email: 'tuomas.tanskanen@liperi.example',
};
const ACTOR = 'Admin Ylläpitäjä';

/** The decision form as the admin posts it: Sami Kuikka replaced by Tuomas Tanskanen. */
function correctedFields(nominees: Person[] = replaced()): Record<string, string> {
  const fields: Record<string, string> = {
    outcome: 'adopted_with_changes',
    meetingDate: '14.11.2023',
    section: '87',
    text: 'Hyväksyttiin päätösehdotus muutettuna: Sami Kuikan tilalle nimettiin Tuomas Tanskanen.',
  };
  nominees.forEach((p, i) => {
    fields[`nominees.${i}.name`] = p.name;
    fields[`nominees.${i}.title`] = p.title;
    fields[`nominees.${i}.email`] = p.email;
    fields[`nominees.${i}.phone`] = p.phone ?? '';
  });
  return fields;
}

function replaced(): Person[] {
  return liperiNominees().map((p) => (p.name === 'Sami Kuikka' ? SUCCESSOR : p));
}

describe('correcting a decision after its excerpts went out', () => {
  let deps: ReturnType<typeof memoryDeps>;
  const round = liperiRound();
  const ref = { roundId: round.id, municipalityId: 'liperi' };
  const input = (fields = correctedFields()) => ({ ...ref, fields, actor: ACTOR });

  const mails = (purpose: RegExp) => deps.mailer.sent.filter((m) => purpose.test(m.purpose));
  const recipients = (purpose: RegExp) =>
    mails(purpose)
      .map((m) => m.recipient)
      .sort();
  const nomination = async () => (await deps.store.getNomination(round.id, 'liperi')) as Nomination;

  /** Liperi decided on 14.11.; excerpts out on 21.11.; members recorded; the group started if asked. */
  async function decidedAndSent(opts: { groupStarted: boolean }) {
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: '' });
    await deps.store.putGroupIfAbsent({
      roundId: round.id,
      groupId: GROUP_ID,
      status: 'planned',
      members: [],
    });
    await deps.store.putNominationIfAbsent({
      roundId: round.id,
      municipalityId: 'liperi',
      groupId: GROUP_ID,
      status: 'decided',
      proposal: liperiProposal(),
      decision: liperiDecision(),
      updatedAt: '2023-11-16T10:00:00.000Z',
      version: 1,
    });
    await sendExcerpts(ref, deps);
    await recordMembers(ref, deps);
    if (opts.groupStarted) {
      deps.clock.current = new Date('2024-01-01T06:00:00Z');
      await activateGroup({ roundId: round.id, groupId: GROUP_ID }, deps);
    }
    deps.clock.current = new Date('2024-01-09T08:00:00Z');
  }

  beforeEach(() => {
    deps = memoryDeps(new Date('2023-11-21T08:00:00Z'));
    deps.mailer.now = () => deps.clock.now();
  });

  it('sends the corrected excerpt to the earlier recipients and the one added, and after the start tells the one who leaves and the one who joins', async () => {
    // prepare
    await decidedAndSent({ groupStarted: true });
    const firstRecipients = recipients(/^excerpt(-copy)?$/);

    // act
    const result = await correctDecision(input(), deps);

    // assess: the corrected excerpt, marked as such, to the same five and the successor
    expect(result.changed).toBe(true);
    expect(result.excerpts).toEqual({ sent: 6, failed: 0 });
    expect(recipients(/-corrected-/)).toEqual([...firstRecipients, SUCCESSOR.email].sort());
    expect(firstRecipients).toContain('sami.kuikka@liperi.example');
    const toCounty = mails(/^excerpt-corrected-/).find((m) => m.recipient === round.organiser.registryEmail);
    expect(toCounty?.content.subject).toMatch(/^Oikaistu Ote: /);
    expect(toCounty?.content.text).toContain('OIKAISTU PÖYTÄKIRJANOTE');
    expect(toCounty?.content.text).toContain('Tämä ote korvaa 21.11.2023 lähetetyn otteen');
    expect(toCounty?.content.text).toContain('Sami Kuikan tilalle nimettiin Tuomas Tanskanen.');

    // the roster: Sami Kuikka leaves, Tuomas Tanskanen joins, the organiser gets the new roster
    expect(result.members?.leaving.map((p) => p.name)).toEqual(['Sami Kuikka']);
    expect(result.members?.joining.map((p) => p.name)).toEqual(['Tuomas Tanskanen']);
    expect(recipients(/^member-left:/)).toEqual(['sami.kuikka@liperi.example']);
    expect(recipients(/^member-joined:/)).toEqual([SUCCESSOR.email]);
    expect(recipients(/^roster-change:/)).toEqual([round.organiser.registryEmail]);
    expect(mails(/^member-left:/)[0]?.content.text).toContain(
      'Tilallesi on nimetty työllisyyskoordinaattori Tuomas Tanskanen.',
    );
    const group = await deps.store.getGroup(round.id, GROUP_ID);
    expect(group?.members.map((m) => m.name)).toEqual(replaced().map((p) => p.name));

    // the decision in force, the replaced one kept, and the audit entry under the admin's name
    const stored = await nomination();
    expect(stored.decision).toMatchObject({
      outcome: 'adopted_with_changes',
      meetingDate: '2023-11-14',
      section: '87',
      nominees: replaced(),
      recordedBy: ACTOR,
      decidedAt: '2024-01-09T08:00:00.000Z',
    });
    expect(stored.previousDecisions).toEqual([liperiDecision()]);
    expect(stored.members).toEqual(replaced());
    expect(stored.status).toBe('completed');
    const audit = await deps.store.listAudit(round.id, 'liperi');
    expect(audit).toEqual([
      expect.objectContaining({
        actor: ACTOR,
        action: 'decision-corrected',
        detail:
          '14.11.2023 § 87 → 14.11.2023 § 87: Hyväksyttiin päätösehdotus muutettuna: Sami Kuikan tilalle nimettiin Tuomas Tanskanen.',
      }),
    ]);
  });

  it('sends nothing twice and keeps one earlier decision when the same correction is posted again', async () => {
    // prepare
    await decidedAndSent({ groupStarted: true });
    await correctDecision(input(), deps);
    const sentAfterFirst = deps.mailer.sent.length;

    // act: a double submit, or a retry after a timeout
    const again = await correctDecision(input(), deps);

    // assess
    expect(again).toMatchObject({ changed: false, excerpts: { sent: 0, failed: 0 } });
    expect(again.members).toEqual({ leaving: [], joining: [] });
    expect(deps.mailer.sent).toHaveLength(sentAfterFirst);
    expect((await nomination()).previousDecisions).toHaveLength(1);
    expect(await deps.store.listAudit(round.id, 'liperi')).toHaveLength(1);
  });

  it('finishes an interrupted correction on a retry without sending anything twice', async () => {
    // prepare: the first run saved the decision, sent the excerpts, then stopped before the member change
    await decidedAndSent({ groupStarted: true });
    const failing = {
      ...deps,
      mailer: Object.assign(Object.create(deps.mailer), {
        sendOnce: (...args: Parameters<typeof deps.mailer.sendOnce>) => {
          if (args[0].purpose.startsWith('member-')) throw new Error('SES throttled');
          return deps.mailer.sendOnce(...args);
        },
      }) as typeof deps.mailer,
    };
    await expect(correctDecision(input(), failing)).rejects.toThrow('SES throttled');
    const excerptsAfterFirst = mails(/-corrected-/).length;

    // act
    const retry = await correctDecision(input(), deps);

    // assess
    expect(excerptsAfterFirst).toBe(6);
    expect(retry).toMatchObject({ changed: false, excerpts: { sent: 0, failed: 0 } });
    expect(mails(/-corrected-/)).toHaveLength(6);
    expect(recipients(/^member-left:/)).toEqual(['sami.kuikka@liperi.example']);
    expect(recipients(/^member-joined:/)).toEqual([SUCCESSOR.email]);
    expect((await nomination()).members).toEqual(replaced());
    expect(await deps.store.listAudit(round.id, 'liperi')).toHaveLength(1);
  });

  it('before the group starts, sends the corrected excerpt and only updates the members', async () => {
    // prepare
    await decidedAndSent({ groupStarted: false });

    // act
    const result = await correctDecision(input(), deps);

    // assess
    expect(result.excerpts.sent).toBe(6);
    expect(mails(/^member-|^roster-change:/)).toEqual([]);
    expect((await nomination()).members).toEqual(replaced());
    await activateGroup({ roundId: round.id, groupId: GROUP_ID }, deps);
    expect(recipients(/^welcome/)).toContain(SUCCESSOR.email);
    expect(recipients(/^welcome/)).not.toContain('sami.kuikka@liperi.example');
  });

  it('stores nothing and sends nothing when the corrected decision is invalid, with Finnish errors by field', async () => {
    // prepare
    await decidedAndSent({ groupStarted: true });
    const before = await nomination();
    const sent = deps.mailer.sent.length;
    const fields = { ...correctedFields(), meetingDate: '31.2.2023', 'nominees.3.email': 'tuomas(at)liperi' };

    // act
    const error = await correctDecision(input(fields), deps).catch((e: unknown) => e);

    // assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual([
      {
        field: 'meetingDate',
        message:
          'Kokouksen päivämäärä ei ole kelvollinen. Kirjoita se muodossa pp.kk.vvvv, esim. 14.11.2023.',
      },
      { field: 'nominees.3.email', message: 'Sähköpostiosoite ei ole kelvollinen.' },
    ]);
    expect(await nomination()).toEqual(before);
    expect(deps.mailer.sent).toHaveLength(sent);
    expect(await deps.store.listAudit(round.id, 'liperi')).toEqual([]);
  });

  it('refuses a decision identical to the one in force, storing nothing', async () => {
    // prepare
    await decidedAndSent({ groupStarted: true });
    const fields = { outcome: 'adopted', meetingDate: '14.11.2023', section: '87', text: '' };

    // act
    const error = await correctDecision(input(fields), deps).catch((e: unknown) => e);

    // assess
    expect((error as ValidationError).fieldErrors).toEqual([
      { field: 'decision', message: CORRECTION_MESSAGES.unchanged },
    ]);
    expect((await nomination()).version).toBe(3);
    expect(mails(/-corrected-/)).toEqual([]);
  });

  it('refuses a nomination whose excerpts have not gone out, with a Finnish message', async () => {
    // prepare: decided, excerpts not yet sent
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: '' });
    await deps.store.putNominationIfAbsent({
      roundId: round.id,
      municipalityId: 'liperi',
      groupId: GROUP_ID,
      status: 'decided',
      proposal: liperiProposal(),
      decision: liperiDecision(),
      updatedAt: '2023-11-16T10:00:00.000Z',
      version: 1,
    });

    // act
    const error = await correctDecision(input(), deps).catch((e: unknown) => e);

    // assess
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe(CORRECTION_MESSAGES.notSent);
    expect((await nomination()).version).toBe(1);
    expect(deps.mailer.sent).toEqual([]);
  });

  it('in the console, stores the correction and starts one SendCorrection execution, none on a repeated post', async () => {
    // prepare: executions as Step Functions keeps them (a name is used once)
    await decidedAndSent({ groupStarted: true });
    const started: Array<{ name: string; input: unknown }> = [];
    const executions = {
      nameOf: (roundId: string, municipalityId: string) => `${roundId}--${municipalityId}`,
      history: async () => [],
      stop: async () => {},
      start: async (name: string, input: unknown) => {
        if (started.some((e) => e.name === name)) {
          throw Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' });
        }
        started.push({ name, input });
        return { executionArn: `arn:${name}` };
      },
    };
    const sentBefore = deps.mailer.sent.length;

    // act: the post and a double submit
    const first = await correctDecisionAsAdmin({ ...ref, fields: correctedFields() }, ACTOR, {
      ...deps,
      executions,
    });
    const again = await correctDecisionAsAdmin({ ...ref, fields: correctedFields() }, ACTOR, {
      ...deps,
      executions,
    });

    // assess: stored and audited at once; the mails are the execution's business
    expect(first).toMatchObject({
      changed: true,
      corrections: 1,
      executionName: `${round.id}--liperi-correction-1`,
    });
    expect(again).toMatchObject({ changed: false, executionName: first.executionName });
    expect(started).toEqual([
      {
        name: first.executionName,
        input: { roundId: round.id, municipalityId: 'liperi', resumeAt: 'correction' },
      },
    ]);
    expect(deps.mailer.sent).toHaveLength(sentBefore);
    expect((await nomination()).decision?.nominees).toEqual(replaced());
    expect((await deps.store.listAudit(round.id, 'liperi')).map((a) => [a.action, a.actor])).toEqual([
      ['decision-corrected', ACTOR],
    ]);
  });
});
