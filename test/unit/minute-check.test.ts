/**
 * Minutes checking (pöytäkirjan tarkastus) through the use cases with in-memory fakes:
 * one link per checker, the last approval resumes the workflow, an objection sends the
 * decision back to the secretary, reminders per checker, hand-off, resend and retries.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/domain/errors.ts';
import { parseRoundFile } from '../../functions/domain/round-file.ts';
import type { Round } from '../../functions/domain/types.ts';
import { handleLinkRequest } from '../../functions/http/link-routes.ts';
import { cancelNomination } from '../../functions/use-cases/admin-actions.ts';
import { openLink, submitLink } from '../../functions/use-cases/link-actions.ts';
import { planStepWait } from '../../functions/use-cases/plan-wait.ts';
import { recordRound } from '../../functions/use-cases/record-round.ts';
import { requestAction } from '../../functions/use-cases/request-action.ts';
import { resendLink } from '../../functions/use-cases/resend-link.ts';
import { nomineeFields } from '../../local/officials.ts';
import { memoryDeps } from '../fakes/memory.ts';
import { liperiMinuteCheckers, liperiNominees, liperiRound, withMinuteCheckers } from '../fixtures/liperi.ts';

const tokenOf = (url: string) => url.split('/l/')[1] as string;
const PREPARER = 'riitta.lappalainen@liperi.example';
const SECRETARY = 'hyvinvointilautakunta@liperi.example';
const CHECKER_A = 'anne.aaltonen@liperi.example';
const CHECKER_B = 'pekka.pesonen@liperi.example';

/** A GET of a link page, as API Gateway hands it to the handler. */
const getPage = (token: string) =>
  ({
    pathParameters: { token },
    requestContext: { http: { method: 'GET', sourceIp: '192.0.2.1', userAgent: 'UA' } },
    isBase64Encoded: false,
  }) as unknown as Parameters<typeof handleLinkRequest>[0];

const ADOPTED = {
  outcome: 'adopted',
  meetingDate: '14.11.2023',
  section: '87',
  text: 'Hyväksyttiin päätösehdotus.',
};

describe('minutes checking (use cases)', () => {
  let deps: ReturnType<typeof memoryDeps>;
  let round: Round;
  const ref = () => ({ roundId: round.id, municipalityId: 'liperi' });
  const linkTo = (email: string) => tokenOf(deps.mailer.linkFor(email));
  const outputs = () => deps.callbacks.succeeded.map((c) => c.output);
  const nomination = async () => {
    const stored = await deps.store.getNomination(round.id, 'liperi');
    if (!stored) throw new Error('No Liperi nomination stored');
    return stored;
  };

  beforeEach(async () => {
    deps = memoryDeps();
    round = withMinuteCheckers(liperiRound(), liperiMinuteCheckers());
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: '' });
    await recordRound(round.id, deps);
  });

  /** Proposal, approval and an adopted decision; the workflow then enters the minute check. */
  async function toMinuteCheck(taskToken = 't-check') {
    await requestAction({ ...ref(), step: 'proposal', taskToken: 't-proposal' }, deps);
    await submitLink(linkTo(PREPARER), { ...nomineeFields(liperiNominees()), text: '' }, {}, deps);
    await requestAction({ ...ref(), step: 'approval', taskToken: 't-approval' }, deps);
    await submitLink(linkTo(PREPARER), { action: 'approve' }, {}, deps);
    await requestAction({ ...ref(), step: 'decision', taskToken: 't-decision' }, deps);
    deps.clock.current = new Date('2023-11-16T10:00:00Z');
    await submitLink(linkTo(SECRETARY), ADOPTED, {}, deps);
    expect(await planStepWait({ ...ref(), step: 'minute_check' }, deps)).toMatchObject({ skip: false });
    await requestAction({ ...ref(), step: 'minute_check', taskToken }, deps);
  }

  it('mails each checker a link of their own and resumes the workflow only on the last approval', async () => {
    // prepare
    await toMinuteCheck();
    const [a, b] = [linkTo(CHECKER_A), linkTo(CHECKER_B)];
    const checkMails = deps.mailer.sent.filter((m) => m.purpose === 'minute_check-request');

    // act: the first checker approves
    await submitLink(a, { action: 'approve' }, {}, deps);
    const afterFirst = await nomination();
    const pageForB = await handleLinkRequest(getPage(b), deps);
    // act: the second approves
    await submitLink(b, { action: 'approve' }, {}, deps);

    // assess
    expect(checkMails.map((m) => m.recipient)).toEqual([CHECKER_A, CHECKER_B]);
    expect(a).not.toBe(b);
    expect(checkMails[0]?.content.subject).toBe(
      'Tarkastettavana: Liperin hyvinvointilautakunnan pöytäkirjan § 87',
    );
    expect(checkMails[0]?.content.text).toContain('Hyvä Anne Aaltonen,');
    expect(checkMails[0]?.content.text).toContain('Hyväksyttiin päätösehdotus.');
    expect(checkMails[0]?.content.text).not.toContain('t-check');
    expect(afterFirst.status).toBe('awaiting_minute_check');
    expect(afterFirst.minuteCheck?.approvals.map((x) => x.email)).toEqual([CHECKER_A]);
    expect(pageForB.statusCode).toBe(200);
    expect(pageForB.body).toContain('Anne Aaltonen: hyväksynyt');
    expect(outputs()).toContainEqual({ step: 'minute_check', outcome: 'checked' });
    expect(outputs().filter((o) => (o as { step: string }).step === 'minute_check')).toHaveLength(1);
    expect(deps.callbacks.succeeded.at(-1)?.taskToken).toBe('t-check');
    expect((await nomination()).status).toBe('decided');
    expect(deps.store.audit.filter((x) => x.action === 'minute_check-approved')).toHaveLength(2);
    await expect(openLink(a, deps)).rejects.toMatchObject({ reason: 'used' });
  });

  it('lets exactly one of two simultaneous last approvals resume the workflow', async () => {
    await toMinuteCheck();
    const [a, b] = [linkTo(CHECKER_A), linkTo(CHECKER_B)];

    await Promise.all([
      submitLink(a, { action: 'approve' }, {}, deps),
      submitLink(b, { action: 'approve' }, {}, deps),
    ]);

    expect(outputs().filter((o) => (o as { step: string }).step === 'minute_check')).toEqual([
      { step: 'minute_check', outcome: 'checked' },
    ]);
    expect((await nomination()).minuteCheck?.approvals.map((x) => x.email).sort()).toEqual([
      CHECKER_A,
      CHECKER_B,
    ]);
  });

  it('sends an objection back to the secretary, who corrects the decision; checking starts anew', async () => {
    // prepare: one checker approved, the other objects
    await toMinuteCheck();
    const [a, b] = [linkTo(CHECKER_A), linkTo(CHECKER_B)];
    await submitLink(a, { action: 'approve' }, {}, deps);

    // act
    const empty = await submitLink(b, { action: 'return', comment: ' ' }, {}, deps).catch((e) => e);
    await submitLink(b, { action: 'return', comment: 'Pykälän numero on 88, ei 87.' }, {}, deps);
    await planStepWait({ ...ref(), step: 'decision' }, deps);
    await requestAction({ ...ref(), step: 'decision', taskToken: 't-decision-2' }, deps);
    const secretaryMail = deps.mailer.sent.at(-1);
    const decisionPage = await handleLinkRequest(getPage(linkTo(SECRETARY)), deps);
    deps.clock.current = new Date('2023-11-17T08:00:00Z');
    await submitLink(linkTo(SECRETARY), { ...ADOPTED, section: '88' }, {}, deps);
    await requestAction({ ...ref(), step: 'minute_check', taskToken: 't-check-2' }, deps);

    // assess
    expect(empty).toBeInstanceOf(ValidationError);
    expect(outputs()).toContainEqual({ step: 'minute_check', outcome: 'returned' });
    expect(secretaryMail?.recipient).toBe(SECRETARY);
    expect(secretaryMail?.content.subject).toMatch(/^Korjattavaa pöytäkirjassa: /);
    expect(secretaryMail?.content.text).toContain('Pykälän numero on 88, ei 87.');
    expect(decisionPage.body).toContain('Pykälän numero on 88, ei 87.');
    expect(decisionPage.body).toMatch(/name="section"[^>]*value="87"/);
    const again = deps.mailer.sent.filter((m) => m.purpose === 'minute_check-request-2');
    expect(again.map((m) => m.recipient)).toEqual([CHECKER_A, CHECKER_B]);
    expect(again[0]?.content.subject).toMatch(/^Korjattu pykälä: .*§ 88$/);
    const check = (await nomination()).minuteCheck;
    expect(check?.approvals).toEqual([]);
    expect(check?.objection).toBeUndefined();
    await expect(openLink(a, deps)).rejects.toMatchObject({ reason: 'used' });
    expect((await openLink(linkTo(CHECKER_A), deps)).step).toBe('minute_check');
  });

  it('reminds only the checkers who have not approved, each with a fresh link', async () => {
    await toMinuteCheck();
    const [a, b] = [linkTo(CHECKER_A), linkTo(CHECKER_B)];
    await submitLink(a, { action: 'approve' }, {}, deps);

    deps.clock.current = new Date('2023-11-28T06:00:00Z'); // the 2-day reminder is due
    const plan = await planStepWait({ ...ref(), step: 'minute_check' }, deps);
    await planStepWait({ ...ref(), step: 'minute_check' }, deps); // a retried plan: no second reminder

    const reminders = deps.mailer.sent.filter((m) => m.purpose.startsWith('minute_check-reminder'));
    expect(reminders.map((m) => [m.purpose, m.recipient])).toEqual([['minute_check-reminder-2', CHECKER_B]]);
    expect(plan).toMatchObject({ expired: false, skip: false });
    await expect(openLink(b, deps)).rejects.toMatchObject({ reason: 'superseded' });
    await submitLink(linkTo(CHECKER_B), { action: 'approve' }, {}, deps);
    expect(outputs()).toContainEqual({ step: 'minute_check', outcome: 'checked' });
  });

  it('skips the check for a municipality that lists no checkers', async () => {
    round = withMinuteCheckers(round, undefined);
    deps = memoryDeps();
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: '' });
    await recordRound(round.id, deps);

    expect(await planStepWait({ ...ref(), step: 'minute_check' }, deps)).toEqual({
      expired: false,
      timeoutSeconds: 1,
      skip: true,
    });
  });

  it('lets a checker hand the check to a substitute, who approves in their place', async () => {
    await toMinuteCheck();
    const a = linkTo(CHECKER_A);

    const same = await submitLink(a, { handoff: '', substituteEmail: CHECKER_B }, {}, deps).catch((e) => e);
    await submitLink(
      a,
      { handoff: '', substituteEmail: 'varajasen@liperi.example', substituteName: 'Ville Varis' },
      {},
      deps,
    );
    await submitLink(linkTo('varajasen@liperi.example'), { action: 'approve' }, {}, deps);
    await submitLink(linkTo(CHECKER_B), { action: 'approve' }, {}, deps);

    expect(same).toBeInstanceOf(ValidationError);
    expect(same.fieldErrors[0].field).toBe('substituteEmail');
    expect((await nomination()).minuteCheck?.checkers.map((c) => c.email)).toEqual([
      'varajasen@liperi.example',
      CHECKER_B,
    ]);
    expect(outputs()).toContainEqual({ step: 'minute_check', outcome: 'checked' });
    expect(deps.store.audit.map((x) => x.action)).toContain('minute_check-handed-to-substitute');
    await expect(openLink(a, deps)).rejects.toMatchObject({ reason: 'used' });
  });

  it('mails each checker once when the step is retried, and resumes the newest task', async () => {
    await toMinuteCheck('t-1');
    await requestAction({ ...ref(), step: 'minute_check', taskToken: 't-2' }, deps);

    expect(deps.mailer.sent.filter((m) => m.purpose.startsWith('minute_check'))).toHaveLength(2);
    await submitLink(linkTo(CHECKER_A), { action: 'approve' }, {}, deps);
    await submitLink(linkTo(CHECKER_B), { action: 'approve' }, {}, deps);
    expect(deps.callbacks.succeeded.at(-1)).toEqual({
      taskToken: 't-2',
      output: { step: 'minute_check', outcome: 'checked' },
    });
  });

  it("resends every pending checker's link for an admin, the old ones stop working", async () => {
    await toMinuteCheck();
    const [a, b] = [linkTo(CHECKER_A), linkTo(CHECKER_B)];
    await submitLink(a, { action: 'approve' }, {}, deps);

    await resendLink({ ...ref(), step: 'minute_check', actor: 'admin@siunsote.example' }, deps);

    const resent = deps.mailer.sent.filter((m) => m.purpose.startsWith('minute_check-resend'));
    expect(resent.map((m) => m.recipient)).toEqual([CHECKER_B]);
    await expect(openLink(b, deps)).rejects.toMatchObject({ reason: 'superseded' });
    expect((await openLink(linkTo(CHECKER_B), deps)).step).toBe('minute_check');
  });

  it('stops every checker link when an admin cancels the nomination', async () => {
    await toMinuteCheck();
    const [a, b] = [linkTo(CHECKER_A), linkTo(CHECKER_B)];
    const stopped: string[] = [];
    const executions = {
      nameOf: (roundId: string, municipalityId: string) => `${roundId}--${municipalityId}`,
      stop: async (name: string) => {
        stopped.push(name);
      },
    };

    await cancelNomination(
      { roundId: round.id, municipalityId: 'liperi', reason: 'Kunta vastasi paperilla.' },
      'admin@siunsote.example',
      { ...deps, executions } as never,
    );

    expect((await nomination()).status).toBe('cancelled');
    expect(stopped).toEqual([`${round.id}--liperi`]);
    await expect(openLink(a, deps)).rejects.toMatchObject({ reason: 'superseded' });
    await expect(openLink(b, deps)).rejects.toMatchObject({ reason: 'superseded' });
  });
});

describe('minute checkers in a round file', () => {
  it('refuses a checker listed twice, naming the field', () => {
    const yaml = `
id: kierros
title: Nimeäminen
caseText: Tausta
organiser: { name: Alue, registryEmail: kirjaamo@alue.example, contact: { name: A B, title: t, email: a@alue.example } }
requestDate: 2030-01-02
deadline: 2030-02-01
startDate: 2030-03-01
groups: [{ id: g, name: Ryhmä, municipalities: [k] }]
municipalities:
  - id: k
    name: Kunta
    registryEmail: kirjaamo@k.example
    boardEmail: kh@k.example
    preparer: { name: V V, title: t, email: v@k.example }
    presenter: { name: E E, title: t, email: e@k.example }
    body: { name: lautakunta, secretaryEmail: s@k.example }
    minuteCheckers:
      - { name: T Yksi, email: t1@k.example }
      - { name: T Kaksi, email: T1@k.example }
`;
    const error = (() => {
      try {
        parseRoundFile(yaml, 'yaml');
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.fieldErrors).toContainEqual({
      field: 'municipalities[0].minuteCheckers[1].email',
      message: 'Pöytäkirjantarkastaja T1@k.example on jo luettelossa',
    });
  });
});
