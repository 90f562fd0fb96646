/**
 * Issue 3 through the use cases with in-memory fakes: returns and decision outcomes,
 * reminders and the deadline (also a per-nomination one), resending and substitutes,
 * a task that timed out just as the official submitted, and concurrent submits.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuditNotWrittenError,
  ConflictError,
  LinkNotUsableError,
  ValidationError,
} from '../../functions/domain/errors.ts';
import { reminderSchedule } from '../../functions/domain/reminders.ts';
import type { Round } from '../../functions/domain/types.ts';
import { handleLinkRequest } from '../../functions/http/link-routes.ts';
import { LinkGoneError, openLink, submitLink } from '../../functions/use-cases/link-actions.ts';
import { planStepWait } from '../../functions/use-cases/plan-wait.ts';
import { recordRound } from '../../functions/use-cases/record-round.ts';
import { recordRejected } from '../../functions/use-cases/rejected.ts';
import { requestAction } from '../../functions/use-cases/request-action.ts';
import { resendLink } from '../../functions/use-cases/resend-link.ts';
import { memoryDeps } from '../fakes/memory.ts';
import { liperiMunicipality, liperiNominees, liperiRound } from '../fixtures/liperi.ts';

const tokenOf = (url: string) => url.split('/l/')[1] as string;
const PREPARER = 'riitta.lappalainen@liperi.example';
const SECRETARY = 'hyvinvointilautakunta@liperi.example';

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

describe('links through every outcome (use cases)', () => {
  let deps: ReturnType<typeof memoryDeps>;
  let round: Round;
  const ref = () => ({ roundId: round.id, municipalityId: 'liperi' });
  const linkTo = (email: string) => tokenOf(deps.mailer.linkFor(email));
  const outputs = () => deps.callbacks.succeeded.map((c) => c.output);

  beforeEach(async () => {
    deps = memoryDeps();
    round = liperiRound();
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: '' });
    await recordRound(round.id, deps);
  });

  async function toApproval() {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't-proposal' }, deps);
    await submitLink(linkTo(PREPARER), { ...nomineeFields(), text: '' }, {}, deps);
    await requestAction({ ...ref(), step: 'approval', taskToken: 't-approval' }, deps);
  }
  async function toDecision() {
    await toApproval();
    await submitLink(linkTo(PREPARER), { action: 'approve' }, {}, deps);
    await requestAction({ ...ref(), step: 'decision', taskToken: 't-decision' }, deps);
  }

  it('returns the proposal to the preparer with a comment, who gets a fresh link showing it', async () => {
    // prepare
    await toApproval();
    const approvalToken = linkTo(PREPARER);

    // act
    const empty = await submitLink(approvalToken, { action: 'return', comment: '  ' }, {}, deps).catch(
      (e) => e,
    );
    await submitLink(approvalToken, { action: 'return', comment: 'Lisää Sami Kuikan puhelin.' }, {}, deps);
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't-proposal-2' }, deps);

    // assess
    expect(empty).toBeInstanceOf(ValidationError);
    expect(outputs().at(-1)).toEqual({ step: 'approval', outcome: 'returned' });
    const again = deps.mailer.sent.at(-1);
    expect(again?.purpose).toBe('proposal-request-2');
    expect(again?.content.subject).toMatch(/^Palautettu valmisteluun: /);
    expect(again?.content.text).toContain('Lisää Sami Kuikan puhelin.');
    const view = await openLink(linkTo(PREPARER), deps);
    expect(view.nomination.returned).toMatchObject({
      from: 'approval',
      comment: 'Lisää Sami Kuikan puhelin.',
    });
    expect(deps.store.audit.map((a) => a.action)).toContain('approval-returned');
  });

  it('tables the item to the next meeting and asks the secretary again with a fresh link', async () => {
    await toDecision();
    const first = linkTo(SECRETARY);
    const fields = { outcome: 'tabled', meetingDate: '14.11.2023', section: '87', text: '' };

    const missing = await submitLink(first, fields, {}, deps).catch((e) => e);
    const before = await submitLink(first, { ...fields, nextMeetingDate: '1.11.2023' }, {}, deps).catch(
      (e) => e,
    );
    await submitLink(first, { ...fields, nextMeetingDate: '12.12.2023' }, {}, deps);
    await requestAction({ ...ref(), step: 'decision', taskToken: 't-decision-2' }, deps);

    expect(missing.fieldErrors.map((e: { field: string }) => e.field)).toEqual(['nextMeetingDate']);
    expect(before.fieldErrors[0].message).toMatch(/jälkeen/);
    expect(outputs().at(-1)).toEqual({ step: 'decision', outcome: 'tabled' });
    expect(deps.mailer.sent.at(-1)?.purpose).toBe('decision-request-2');
    expect(linkTo(SECRETARY)).not.toBe(first);
    const view = await openLink(linkTo(SECRETARY), deps);
    expect(view.nomination.tabled?.nextMeetingDate).toBe('2023-12-12');
  });

  it('returns the item for preparation from the committee, back to the proposal form', async () => {
    await toDecision();
    await submitLink(
      linkTo(SECRETARY),
      { outcome: 'returned', meetingDate: '14.11.2023', section: '87', comment: 'Valmistellaan uudelleen.' },
      {},
      deps,
    );
    expect(outputs().at(-1)).toEqual({ step: 'decision', outcome: 'returned' });
    expect((await deps.store.getNomination(round.id, 'liperi'))?.status).toBe('awaiting_proposal');
  });

  it('rejects: the nomination ends with no members and the organiser is told once', async () => {
    await toDecision();
    await submitLink(
      linkTo(SECRETARY),
      { outcome: 'rejected', meetingDate: '14.11.2023', section: '87', text: 'Hyväksyttiin päätösehdotus.' },
      {},
      deps,
    );
    await recordRejected(ref(), deps);
    await recordRejected(ref(), deps);

    const nomination = await deps.store.getNomination(round.id, 'liperi');
    expect(nomination).toMatchObject({ status: 'rejected', members: [] });
    expect(nomination?.rejection?.text).toBe('Hylättiin päätösehdotus.');
    const notices = deps.mailer.sent.filter((m) => m.purpose === 'rejected');
    expect(notices.map((m) => m.recipient)).toEqual([round.organiser.registryEmail]);
    expect(notices[0]?.content.text).toContain('14.11.2023 § 87');
  });

  it('reminds 7 and 2 days before the deadline, once each, with a fresh link, and waits until the next', async () => {
    // prepare: deadline 2023-11-30 → reminders 2023-11-23 08:00 and 2023-11-28 08:00 Helsinki
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't1' }, deps);
    const original = linkTo(PREPARER);
    const first = await planStepWait({ ...ref(), step: 'proposal' }, deps);

    // act: the wait times out at the first reminder
    deps.clock.current = new Date('2023-11-23T06:00:00Z');
    const atReminder = await planStepWait({ ...ref(), step: 'proposal' }, deps);
    const again = await planStepWait({ ...ref(), step: 'proposal' }, deps);
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't2' }, deps);

    // assess
    expect(first).toEqual({
      expired: false,
      timeoutSeconds: (Date.parse('2023-11-23T06:00:00Z') - Date.parse('2023-10-02T09:00:00Z')) / 1000,
      skip: false,
    });
    expect(atReminder.timeoutSeconds).toBe(5 * 86400);
    expect(again.timeoutSeconds).toBe(5 * 86400);
    const reminders = deps.mailer.sent.filter((m) => m.purpose.startsWith('proposal-reminder'));
    expect(reminders.map((m) => m.purpose)).toEqual(['proposal-reminder-7']);
    expect(reminders[0]?.content.subject).toMatch(/^Muistutus: /);
    // the reminder's link replaced the first; re-registering the wait mailed nothing new
    await expect(openLink(original, deps)).rejects.toMatchObject({ reason: 'superseded' });
    expect((await openLink(linkTo(PREPARER), deps)).step).toBe('proposal');
    expect(deps.mailer.sent).toHaveLength(2);
    expect((await deps.store.getWait(round.id, 'liperi', 'proposal'))?.taskToken).toBe('t2');
  });

  it('sends no reminder once the step is done, and ends at the deadline', async () => {
    await toApproval();
    deps.clock.current = new Date('2023-11-28T06:00:00Z');
    await planStepWait({ ...ref(), step: 'proposal' }, deps);
    expect(deps.mailer.sent.filter((m) => m.purpose.includes('reminder'))).toEqual([]);

    deps.clock.current = new Date('2023-11-30T22:00:00Z');
    expect(await planStepWait({ ...ref(), step: 'approval' }, deps)).toEqual({
      expired: true,
      timeoutSeconds: 1,
      skip: false,
    });
    await expect(openLink(linkTo(PREPARER), deps)).rejects.toMatchObject({ reason: 'expired' });
  });

  it("honours a nomination's own, extended deadline in the wait, the reminders and the link", async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't1' }, deps);
    const nomination = await deps.store.getNomination(round.id, 'liperi');
    if (!nomination) throw new Error('no nomination');
    await deps.store.saveNomination({
      ...nomination,
      deadline: '2023-12-15',
      version: nomination.version + 1,
    });

    deps.clock.current = new Date('2023-12-01T10:00:00Z'); // after the round's deadline
    const plan = await planStepWait({ ...ref(), step: 'proposal' }, deps);
    const view = await openLink(linkTo(PREPARER), deps);

    expect(plan.expired).toBe(false);
    // 7 days before 15.12. is 8.12. 08:00 Helsinki
    expect(plan.timeoutSeconds).toBe(
      (Date.parse('2023-12-08T06:00:00Z') - Date.parse('2023-12-01T10:00:00Z')) / 1000,
    );
    expect(view.step).toBe('proposal');
  });

  it('resends a link: the old one stops, the new one works, both recorded', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't1' }, deps);
    const old = linkTo(PREPARER);

    await resendLink({ ...ref(), step: 'proposal', actor: 'admin@siunsote.example' }, deps);
    await resendLink(
      {
        ...ref(),
        step: 'proposal',
        substituteEmail: 'sijainen@liperi.example',
        substituteName: 'Sanna Sijainen',
        actor: 'admin',
      },
      deps,
    );

    await expect(openLink(old, deps)).rejects.toMatchObject({ reason: 'superseded' });
    await expect(openLink(linkTo(PREPARER), deps)).rejects.toMatchObject({ reason: 'superseded' });
    const sub = await openLink(linkTo('sijainen@liperi.example'), deps);
    expect(sub.link.recipientName).toBe('Sanna Sijainen');
    expect(deps.store.audit.map((a) => [a.action, a.detail])).toEqual([
      ['proposal-link-resent', `to ${PREPARER}`],
      ['proposal-handed-to-substitute', `from ${PREPARER} to sijainen@liperi.example`],
    ]);
    await submitLink(linkTo('sijainen@liperi.example'), { ...nomineeFields(), text: '' }, {}, deps);
    expect(deps.callbacks.succeeded.at(-1)?.taskToken).toBe('t1');
    // a step that is not waiting cannot be resent
    await expect(resendLink({ ...ref(), step: 'decision', actor: 'admin' }, deps)).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('hands off through the link page: the recipient names a colleague, once', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't1' }, deps);
    const token = linkTo(PREPARER);

    const bad = await submitLink(token, { handoff: '1', substituteEmail: 'ei-osoite' }, {}, deps).catch(
      (e) => e,
    );
    const result = await submitLink(
      token,
      { handoff: '1', substituteEmail: 'sijainen@liperi.example', substituteName: 'Sanna' },
      { ip: '192.0.2.7', userAgent: 'UA' },
      deps,
    );
    const gone = await openLink(token, deps).catch((e) => e);

    expect(bad.fieldErrors[0]).toMatchObject({ field: 'substituteEmail' });
    expect(result.substitute).toEqual({ email: 'sijainen@liperi.example', name: 'Sanna' });
    expect(gone).toBeInstanceOf(LinkGoneError);
    expect(gone.info).toMatchObject({ what: 'Tehtävä siirrettiin sijaiselle.', by: 'Riitta Lappalainen' });
    expect(deps.store.audit.at(-1)).toMatchObject({ actor: PREPARER, userAgent: 'UA' });
    expect(deps.store.audit.at(-1)?.clientIpHash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('parks the answer of a task that had just timed out and hands it to the next wait', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 'timed-out' }, deps);
    deps.callbacks.succeed = async (taskToken: string, output: unknown) => {
      if (taskToken === 'timed-out') throw Object.assign(new Error('timed out'), { name: 'TaskTimedOut' });
      deps.callbacks.succeeded.push({ taskToken, output });
    };

    await submitLink(linkTo(PREPARER), { ...nomineeFields(), text: '' }, {}, deps);
    await requestAction({ ...ref(), step: 'proposal', taskToken: 'next-wait' }, deps);

    expect(deps.callbacks.succeeded).toEqual([
      { taskToken: 'next-wait', output: { step: 'proposal', outcome: 'submitted' } },
    ]);
    expect(deps.mailer.sent).toHaveLength(1);
    expect((await deps.store.getWait(round.id, 'liperi', 'proposal'))?.pendingOutput).toBeUndefined();
  });

  it('writes the audit entry with the save: who, what, when, from where', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't1' }, deps);
    await submitLink(
      linkTo(PREPARER),
      { ...nomineeFields(), text: '' },
      { ip: '192.0.2.7', userAgent: 'UA' },
      deps,
    );
    expect(deps.store.audit).toEqual([
      expect.objectContaining({
        roundId: round.id,
        municipalityId: 'liperi',
        actor: PREPARER,
        action: 'proposal-submitted',
        userAgent: 'UA',
        clientIpHash: expect.stringMatching(/^[0-9a-f]{32}$/),
      }),
    ]);
  });

  it('releases the link when the save fails, so the official can try again; nothing moves', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't1' }, deps);
    const token = linkTo(PREPARER);
    const save = deps.store.saveNomination.bind(deps.store);
    deps.store.saveNomination = async () => {
      throw new Error('DynamoDB unavailable');
    };
    await expect(submitLink(token, { ...nomineeFields(), text: '' }, {}, deps)).rejects.toThrow(
      'DynamoDB unavailable',
    );
    expect(deps.callbacks.succeeded).toEqual([]);
    expect(deps.store.audit).toEqual([]);

    deps.store.saveNomination = save;
    await submitLink(token, { ...nomineeFields(), text: '' }, {}, deps);
    expect(outputs()).toEqual([{ step: 'proposal', outcome: 'submitted' }]);
  });

  it('moves the workflow on when the nomination was saved but its audit entry was not, and alarms the operators', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't1' }, deps);
    const token = linkTo(PREPARER);
    const save = deps.store.saveNomination.bind(deps.store);
    deps.store.saveNomination = async (next) => {
      await save(next);
      throw new AuditNotWrittenError('audit table unavailable');
    };
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof write;
    // As in Lambda, where the metric lines are written.
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'LinkPageFn';
    try {
      const result = await submitLink(token, { ...nomineeFields(), text: '' }, {}, deps);
      expect(result.outcome).toBe('submitted');
    } finally {
      process.stdout.write = write;
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    }
    // Saved and resumed; the link is not released for a second, doubled submit.
    expect(outputs()).toEqual([{ step: 'proposal', outcome: 'submitted' }]);
    expect((await deps.store.getNomination(round.id, 'liperi'))?.status).toBe('awaiting_approval');
    await expect(submitLink(token, { ...nomineeFields(), text: '' }, {}, deps)).rejects.toBeInstanceOf(
      LinkGoneError,
    );
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'audit entry not written',
        action: 'proposal-submitted',
        error: 'AuditNotWrittenError',
      }),
    );
    // The count behind the audit-not-written alarm.
    expect(logged).toContainEqual(expect.objectContaining({ AuditNotWritten: 1, service: 'nimitys' }));
  });

  it('lets exactly one of fifty concurrent submits act; the others hear it was already done', async () => {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't1' }, deps);
    const token = linkTo(PREPARER);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => submitLink(token, { ...nomineeFields(), text: '' }, {}, deps)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(LinkNotUsableError);
    }
    expect(deps.callbacks.succeeded).toHaveLength(1);
  });
});

describe('reminderSchedule', () => {
  it('puts reminders at 08:00 Helsinki time, earliest first, ignoring nonsense days', () => {
    const deadline = new Date('2023-11-30T21:59:59Z');
    expect(
      reminderSchedule(deadline, [2, 7, 0, -1, 2]).map((r) => [r.daysBefore, r.at.toISOString()]),
    ).toEqual([
      [7, '2023-11-23T06:00:00.000Z'],
      [2, '2023-11-28T06:00:00.000Z'],
    ]);
  });
});

describe('the link pages (handler, in-memory)', () => {
  let deps: ReturnType<typeof memoryDeps>;
  let round: Round;
  const event = (token: string, method = 'GET', body?: string) =>
    ({
      pathParameters: { token },
      requestContext: { http: { method, sourceIp: '192.0.2.1', userAgent: 'UA' } },
      body,
      isBase64Encoded: false,
    }) as unknown as Parameters<typeof handleLinkRequest>[0];

  beforeEach(async () => {
    deps = memoryDeps();
    round = liperiRound();
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: '' });
    await recordRound(round.id, deps);
    await requestAction(
      { roundId: round.id, municipalityId: 'liperi', step: 'proposal', taskToken: 't' },
      deps,
    );
  });

  it('says a superseded link was replaced and whom to contact (410)', async () => {
    const old = tokenOf(deps.mailer.linkFor(PREPARER));
    await resendLink({ roundId: round.id, municipalityId: 'liperi', step: 'proposal', actor: 'admin' }, deps);
    const page = await handleLinkRequest(event(old), deps);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Linkki on korvattu');
    expect(page.body).toContain('Tilalle lähetettiin uusi linkki.');
    expect(page.body).toContain(round.organiser.contact.email);
  });

  it('says an expired link is past its deadline, with the date and whom to contact (410)', async () => {
    deps.clock.current = new Date('2023-12-01T00:00:00Z');
    const page = await handleLinkRequest(event(tokenOf(deps.mailer.linkFor(PREPARER))), deps);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('Määräaika on päättynyt');
    expect(page.body).toContain('30.11.2023');
    expect(page.body).toContain(round.organiser.contact.email);
  });

  it("reads a submit's link with its nomination in one request where the form says the link acts; any other target costs one read more and acts only where the link does", async () => {
    const token = tokenOf(deps.mailer.linkFor(PREPARER));
    const page = await handleLinkRequest(event(token), deps);
    const hidden = (name: string) => page.body?.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];
    // Both of the page's forms (the proposal and the hand-off) carry it.
    expect(page.body?.match(/name="target" value="([^"]*)"/g)).toEqual([
      `name="target" value="${round.id}/liperi/proposal"`,
      `name="target" value="${round.id}/liperi/proposal"`,
    ]);
    const reads = {
      together: vi.spyOn(deps.store, 'getLinkNominationAndWait'),
      link: vi.spyOn(deps.store, 'getLink'),
      nomination: vi.spyOn(deps.store, 'getNominationAndWait'),
    };
    const post = (target: string, fields: Record<string, string>) =>
      handleLinkRequest(
        event(
          token,
          'POST',
          new URLSearchParams({ csrf: hidden('csrf') ?? '', target, ...fields }).toString(),
        ),
        deps,
      );
    const counted = () => Object.values(reads).map((spy) => spy.mock.calls.length);
    const reset = () => {
      for (const spy of Object.values(reads)) spy.mockClear();
    };

    // Another round, another step, nonsense: read as without a target, and a form error stores nothing.
    for (const target of ['muu-kierros/liperi/proposal', `${round.id}/liperi/approval`, '../../x', '']) {
      reset();
      const refused = await post(target, { text: '' });
      expect(refused.statusCode, target).toBe(422);
      const tried = /^[a-z0-9-]+\/liperi\/(proposal|approval)$/.test(target) ? 1 : 0;
      // A well-formed target reads the link (the nomination read there is not used); a malformed one is not tried.
      expect(counted(), target).toEqual([tried, 1 - tried, 1]);
    }
    expect(deps.callbacks.succeeded).toEqual([]);
    expect((await deps.store.getNomination(round.id, 'liperi'))?.status).toBe('awaiting_proposal');

    reset();
    const done = await post(hidden('target') ?? '', { ...nomineeFields(), text: '' });
    expect(done.statusCode).toBe(200);
    expect(counted()).toEqual([1, 0, 0]);
    expect(deps.callbacks.succeeded.map((c) => c.output)).toEqual([
      { step: 'proposal', outcome: 'submitted' },
    ]);
    expect((await deps.store.getNomination(round.id, 'liperi'))?.status).toBe('awaiting_approval');
  });

  it("acts on the link's own nomination when the form names another one that is waiting too", async () => {
    const two = memoryDeps();
    const liperi = liperiMunicipality();
    const outokumpu = {
      ...liperi,
      id: 'outokumpu',
      name: 'Outokumpu',
      preparer: { ...liperi.preparer, email: 'valmistelija@outokumpu.example' },
      presenter: { ...liperi.presenter, email: 'valmistelija@outokumpu.example' },
    };
    const both: Round = {
      ...liperiRound(),
      municipalities: [liperi, outokumpu],
      groups: [
        { ...(liperiRound().groups[0] as Round['groups'][number]), municipalityIds: ['liperi', 'outokumpu'] },
      ],
    };
    await two.store.putRoundIfAbsent({ round: both, definitionHash: 'h', status: 'running', createdAt: '' });
    await recordRound(both.id, two);
    for (const municipalityId of ['liperi', 'outokumpu']) {
      await requestAction(
        { roundId: both.id, municipalityId, step: 'proposal', taskToken: `t-${municipalityId}` },
        two,
      );
    }
    const token = tokenOf(two.mailer.linkFor(PREPARER));
    const csrf =
      (await handleLinkRequest(event(token), two)).body?.match(/name="csrf" value="([^"]*)"/)?.[1] ?? '';

    const done = await handleLinkRequest(
      event(
        token,
        'POST',
        new URLSearchParams({
          csrf,
          target: `${both.id}/outokumpu/proposal`,
          ...nomineeFields(),
          text: '',
        }).toString(),
      ),
      two,
    );

    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Liperi');
    expect(two.callbacks.succeeded.map((c) => c.taskToken)).toEqual(['t-liperi']);
    expect((await two.store.getNomination(both.id, 'liperi'))?.status).toBe('awaiting_approval');
    expect((await two.store.getNomination(both.id, 'outokumpu'))?.status).toBe('awaiting_proposal');
  });

  it('refuses other methods (405) and a POST without the CSRF value (403), never 500', async () => {
    const token = tokenOf(deps.mailer.linkFor(PREPARER));
    const put = await handleLinkRequest(event(token, 'PUT'), deps);
    const noCsrf = await handleLinkRequest(event(token, 'POST', 'text=x'), deps);
    const garbage = await handleLinkRequest(event(token, 'POST', '%%%&&&=%ZZ'), deps);
    expect([put.statusCode, noCsrf.statusCode, garbage.statusCode]).toEqual([405, 403, 403]);
    expect(deps.callbacks.succeeded).toEqual([]);
  });
});
