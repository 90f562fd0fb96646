/**
 * Faults on the real embedded stack, injected in the network and at fault points, not mocked:
 * the handlers' SDK clients talk to SES and DynamoDB through switchable proxies
 * (test/support/fault-proxy.ts), and test-only fault points (functions/shared/fault-points.ts)
 * make a step die after its side effect, before it returns.
 *
 * - SES throttling (429 TooManyRequestsException) and SES unreachable (connection refused):
 *   the SDK's retries, then the workflow's Retry with backoff; every mail reaches the SES
 *   store exactly once after recovery, and the admin console shows the delay meanwhile.
 * - DynamoDB unreachable when a step starts, and in the middle of one (right after SES took
 *   a mail): the step fails and is retried, or records the mail once DynamoDB is back; the
 *   table holds no half-written state afterwards.
 * - A crash after the side effect, before returning (RequestAction, SendExcerpts,
 *   RecordMembers, inside the mailer): the retry mails nothing again, mints no second link,
 *   records nothing twice.
 *
 * Figures (retries, requests refused or throttled, time to recover) go to the test output.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoNominationStore, keys } from '../../functions/adapters/dynamo-store.ts';
import { SfnRoundStarter } from '../../functions/adapters/sfn-workflow.ts';
import { ADMINS_GROUP, issueSession } from '../../functions/admin/auth.ts';
import { excerptRecipients } from '../../functions/domain/excerpt.ts';
import type { Link, OutboxRecord } from '../../functions/domain/ports.ts';
import type { Nomination, Round } from '../../functions/domain/types.ts';
import { armFaultPoint, crash, disarmFaultPoints } from '../../functions/shared/fault-points.ts';
import { startRound } from '../../functions/use-cases/start-round.ts';
import { LOCAL_REGION } from '../../local/endpoints.ts';
import type { HistoryEvent } from '../../local/sfn/types.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import { liperiDecision, liperiNominees, liperiProposal, liperiRound } from '../fixtures/liperi.ts';
import { DYNAMODB_THROTTLE, type FaultProxy, SES_THROTTLE, startFaultProxy } from '../support/fault-proxy.ts';
import { createMailbox } from '../support/mailbox.ts';
import { roundFile, until } from '../support/rounds.ts';

vi.hoisted(() => {
  process.env.NIMITYS_LOG_LEVEL = 'silent';
});

const TABLE = 'nimitys';
const PREPARER = 'riitta.lappalainen@liperi.example';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('faults on the embedded stack', () => {
  let stack: EmbeddedStack;
  let sesProxy: FaultProxy;
  let dbProxy: FaultProxy;
  /** Straight to the emulators, past the proxies: what the test reads and seeds. */
  let db: DynamoDBDocumentClient;
  let store: DynamoNominationStore;
  let sfn: SFNClient;
  let mailbox: ReturnType<typeof createMailbox>;
  let session: string;
  const figures: Record<string, unknown> = {};
  let seq = 0;

  const newRound = (): Round => ({ ...liperiRound(), id: `faults-${++seq}-${Date.now().toString(36)}` });
  const executionArn = (name: string) =>
    `${stack.stateMachineArns.nomination.replace(':stateMachine:', ':execution:')}:${name}`;
  /** The execution's history; empty while it has not started. */
  const history = async (arn: string): Promise<HistoryEvent[]> =>
    (
      await stack.stepFunctions
        .getExecutionHistory({ executionArn: arn, maxResults: 1000 })
        .catch(() => ({ events: [] }))
    ).events ?? [];
  const failures = (events: HistoryEvent[]) =>
    events.flatMap((e) => (e.type === 'TaskFailed' ? [e.taskFailedEventDetails?.error ?? ''] : []));
  /** Waits for the execution to end; a failed one fails the test with its errors and cause. */
  const succeeded = async (arn: string, timeoutMs = 60_000) => {
    const done = await until(
      `execution ${arn.split(':').at(-1)} to end`,
      async () => {
        const d = await stack.stepFunctions.describeExecution({ executionArn: arn });
        return d.status === 'RUNNING' ? undefined : d;
      },
      timeoutMs,
    );
    const errors = failures(await history(arn));
    expect(done.status, `${errors.join(', ')}: ${done.cause ?? ''}`).toBe('SUCCEEDED');
    return done;
  };
  const admin = (path: string) =>
    fetch(`${stack.urls.http}${path}`, { headers: { cookie: `nimitys_admin=${session}` } });

  /** Every item of a round's partition and of its links (a test may Scan the local table). */
  async function itemsOf(roundId: string) {
    const items: Array<Record<string, unknown>> = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: startKey }));
      items.push(...(page.Items ?? []).filter((i) => i.roundId === roundId || i.pk === `ROUND#${roundId}`));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return {
      mails: items.filter((i) => i.kind === 'mail') as unknown as OutboxRecord[],
      links: items.filter((i) => i.kind === 'link') as unknown as Link[],
    };
  }

  /**
   * The invariants after recovery: every outbox row is sent (with a message id whose pointer
   * exists) or failed, none stuck; every sent row is exactly one mail in the SES store.
   */
  async function expectConsistentOutbox(roundId: string) {
    const { mails } = await itemsOf(roundId);
    const inSes = await mailbox.ses.mailsSince();
    for (const row of mails) {
      expect(row.status, `${row.purpose} → ${row.recipient}`).toBe('sent');
      expect(row.messageId).toBeTruthy();
      const pointer = await db.send(
        new GetCommand({ TableName: TABLE, Key: keys.messageId(row.messageId ?? '') }),
      );
      expect(pointer.Item?.mailSk).toBe(keys.mail(roundId, row.scope, row.purpose, row.recipient).sk);
      expect(inSes.filter((m) => m.messageId === row.messageId)).toHaveLength(1);
    }
    return mails;
  }

  /** A decided Liperi nomination, and a nomination execution that starts at SendExcerpts. */
  async function decidedNomination(): Promise<{ round: Round; arn: string }> {
    const round = newRound();
    await store.putRoundIfAbsent({
      round,
      definitionHash: 'h',
      status: 'running',
      createdAt: new Date().toISOString(),
    });
    await store.putGroupIfAbsent({
      roundId: round.id,
      groupId: 'keski-karjala',
      status: 'planned',
      members: [],
    });
    const nomination: Nomination = {
      roundId: round.id,
      municipalityId: 'liperi',
      groupId: 'keski-karjala',
      status: 'decided',
      proposal: liperiProposal(),
      decision: liperiDecision(),
      updatedAt: new Date().toISOString(),
      version: 1,
    };
    await store.putNominationIfAbsent(nomination);
    return { round, arn: executionArn(`${round.id}--liperi`) };
  }
  const runFromExcerpts = (round: Round) =>
    stack.stepFunctions.startExecution({
      stateMachineArn: stack.stateMachineArns.nomination,
      name: `${round.id}--liperi`,
      input: JSON.stringify({
        roundId: round.id,
        municipalityId: 'liperi',
        resumeAt: 'excerpts',
        wait: { timeoutSeconds: 3600 },
      }),
    });
  const excerptAddresses = (round: Round) =>
    excerptRecipients({
      round,
      municipality: round.municipalities[0] as Round['municipalities'][0],
      decision: liperiDecision(),
    }).map((r) => r.email);
  const mailsTo = async (to: string) => (await mailbox.ses.mailsSince()).filter((m) => m.to === to);

  beforeAll(async () => {
    sesProxy = await startFaultProxy(SES_THROTTLE);
    dbProxy = await startFaultProxy(DYNAMODB_THROTTLE);
    stack = await startEmbeddedStack({
      ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 },
      endpointOverrides: { ses: sesProxy.url, dynamodb: dbProxy.url },
    });
    sesProxy.target = stack.urls.ses;
    dbProxy.target = stack.urls.dynamodb;
    db = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: stack.urls.dynamodb, region: LOCAL_REGION, credentials }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    store = new DynamoNominationStore(db, TABLE);
    sfn = new SFNClient({ endpoint: stack.urls.sfn, region: LOCAL_REGION, credentials });
    mailbox = createMailbox(stack.urls);
    session = issueSession(
      stack.admin.credential.sessionSecret,
      { id: 'admin', name: 'admin', groups: [ADMINS_GROUP] },
      new Date(),
    );
  });

  afterEach(() => disarmFaultPoints());

  afterAll(async () => {
    console.log(`fault figures: ${JSON.stringify(figures, null, 2)}`);
    sfn?.destroy();
    db?.destroy();
    await stack?.stop();
    await sesProxy?.close();
    await dbProxy?.close();
  });

  it('retries the request mail through SES throttling with backoff, shows the delay in the console, and delivers it once', async () => {
    // prepare: SES answers 429 for the next 8 seconds
    await mailbox.ses.clear();
    const round = newRound();
    const throttledBefore = sesProxy.counts.throttled;
    await sesProxy.faultFor('throttle', 8000);

    // act: start the round (the use case the CLI runs)
    await startRound(roundFile(round), {
      store,
      rounds: new SfnRoundStarter(sfn, stack.stateMachineArns.round),
      clock: { now: () => new Date() },
    });

    // assess, during the outage: the row says it is being retried, and the console shows it
    const retrying = await until('the request mail to be retried', async () => {
      const [row] = await store.listMail(round.id, 'liperi');
      return row?.status === 'retrying' ? row : undefined;
    });
    expect(retrying).toMatchObject({ lastError: 'TooManyRequestsException', deliveryState: 'retrying' });
    expect(retrying.failedAttempts).toBeGreaterThanOrEqual(1);
    const page = await (await admin(`/admin/rounds/${round.id}/m/liperi`)).text();
    expect(page).toContain('Viivästynyt, yritetään uudelleen');
    expect(page).toMatch(
      /\d+ epäonnistunutta yritystä, viimeisin \d{1,2}\.\d{1,2}\.\d{4} klo [\d.]+: TooManyRequestsException/,
    );
    const roundPage = await (await admin(`/admin/rounds/${round.id}`)).text();
    expect(roundPage).toContain('Viesti viivästynyt');

    // after: exactly one mail, once SES takes mail again
    await sesProxy.recovered();
    const recoveredAt = sesProxy.lastFault?.to ?? Date.now();
    const mail = await mailbox.mailTo(PREPARER, /^Pyyntö/);
    const deliveredAt = Date.now();
    await sleep(1500);
    expect(await mailsTo(PREPARER)).toHaveLength(1);
    const [row] = await store.listMail(round.id, 'liperi');
    expect(row).toMatchObject({
      status: 'sent',
      deliveryState: 'sent',
      lastError: 'TooManyRequestsException',
    });
    expect(row?.failedAttempts).toBeGreaterThanOrEqual(1);
    const arn = executionArn(`${round.id}--liperi`);
    const retried = failures(await history(arn)).filter((e) => e === 'TooManyRequestsException');
    expect(retried).toHaveLength(row?.failedAttempts ?? -1);
    // The SDK tried each step attempt more than once before the workflow's Retry took over.
    const throttled = sesProxy.counts.throttled - throttledBefore;
    expect(throttled).toBeGreaterThan(retried.length);
    // The link in the mail opens: it is the one the workflow waits on (else 410), and the only open one.
    expect((await fetch(mailbox.linkIn(mail))).status).toBe(200);
    const wait = await store.getWait(round.id, 'liperi', 'proposal');
    const { links } = await itemsOf(round.id);
    expect(links.filter((l) => l.status === 'open').map((l) => l.tokenHash)).toEqual([wait?.linkTokenHash]);
    const after = await (await admin(`/admin/rounds/${round.id}/m/liperi`)).text();
    expect(after).toMatch(
      new RegExp(`Lähetetty ${(row?.failedAttempts ?? 0) + 1}\\. yrityksellä, viivästyi \\d+ s`),
    );
    figures.sesThrottle = {
      outageMs: 8000,
      sdkRequestsThrottled: throttled,
      workflowRetries: retried.length,
      mailsDelivered: (await mailsTo(PREPARER)).length,
      msFromRecoveryToDelivery: deliveredAt - recoveredAt,
    };
  });

  it('sends every excerpt exactly once when SES becomes unreachable in the middle of SendExcerpts', async () => {
    // prepare: after the second excerpt is recorded, SES refuses connections for 4 s
    await mailbox.ses.clear();
    const { round, arn } = await decidedNomination();
    let recorded = 0;
    armFaultPoint('mail:recorded', () => {
      if (++recorded === 2) void sesProxy.faultFor('refuse', 4000);
    });

    // act
    await runFromExcerpts(round);
    const done = await succeeded(arn);

    // assess
    const retried = failures(await history(arn));
    expect(retried.length).toBeGreaterThanOrEqual(1);
    expect(new Set(retried)).toEqual(new Set(['ServiceUnreachableError']));
    const addresses = excerptAddresses(round);
    for (const address of addresses) expect(await mailsTo(address), address).toHaveLength(1);
    const rows = await expectConsistentOutbox(round.id);
    expect(rows.map((r) => r.recipient).sort()).toEqual(addresses.map((a) => a.toLowerCase()).sort());
    expect((await store.getNomination(round.id, 'liperi'))?.status).toBe('completed');
    figures.sesUnreachable = {
      outageMs: 4000,
      workflowRetries: retried.length,
      mails: rows.length,
      msFromRecoveryToSucceeded: (done.stopDate?.getTime() ?? 0) - (sesProxy.lastFault?.to ?? 0),
    };
  });

  it('retries a step whose DynamoDB is unreachable when it starts, and leaves nothing half-written', async () => {
    // prepare: DynamoDB refuses connections for 3 s from the moment the step starts
    await mailbox.ses.clear();
    const { round, arn } = await decidedNomination();
    await dbProxy.faultFor('refuse', 3000);

    // act
    await runFromExcerpts(round);
    const done = await succeeded(arn);

    // assess
    const retried = failures(await history(arn));
    expect(retried.length).toBeGreaterThanOrEqual(1);
    expect(new Set(retried)).toEqual(new Set(['ServiceUnreachableError']));
    for (const address of excerptAddresses(round)) expect(await mailsTo(address), address).toHaveLength(1);
    await expectConsistentOutbox(round.id);
    const nomination = await store.getNomination(round.id, 'liperi');
    expect(nomination).toMatchObject({ status: 'completed', members: liperiNominees() });
    // decided (1) → excerpts_sent (2) → completed (3): each move written once
    expect(nomination?.version).toBe(3);
    figures.dynamoUnreachableAtStart = {
      outageMs: 3000,
      workflowRetries: retried.length,
      msFromRecoveryToSucceeded: (done.stopDate?.getTime() ?? 0) - (dbProxy.lastFault?.to ?? 0),
    };
  });

  it('records a mail SES took while DynamoDB was unreachable once it is back, and sends nothing twice', async () => {
    // prepare: right after SES takes the second excerpt, DynamoDB refuses connections for 3 s
    await mailbox.ses.clear();
    const { round, arn } = await decidedNomination();
    let accepted = 0;
    armFaultPoint('mail:accepted', () => {
      if (++accepted === 2) void dbProxy.faultFor('refuse', 3000);
    });

    // act
    await runFromExcerpts(round);
    await succeeded(arn);

    // assess: the mailer kept trying to record it, so the step itself did not even fail
    for (const address of excerptAddresses(round)) expect(await mailsTo(address), address).toHaveLength(1);
    const rows = await expectConsistentOutbox(round.id);
    expect(rows).toHaveLength(excerptAddresses(round).length);
    figures.dynamoUnreachableAfterSesAccepted = {
      outageMs: 3000,
      workflowRetries: failures(await history(arn)).length,
      mails: rows.length,
    };
  });

  it('does not mail again or mint a second link when RequestAction dies after mailing, before returning', async () => {
    // prepare
    await mailbox.ses.clear();
    const round = newRound();
    const died = crash(1);
    armFaultPoint('step-done:RequestAction', died);

    // act
    await startRound(roundFile(round), {
      store,
      rounds: new SfnRoundStarter(sfn, stack.stateMachineArns.round),
      clock: { now: () => new Date() },
    });
    const arn = executionArn(`${round.id}--liperi`);
    await until('RequestProposal to be retried', async () =>
      failures(await history(arn)).includes('Runtime.ExitError') ? true : undefined,
    );
    const first = (await store.getWait(round.id, 'liperi', 'proposal'))?.taskToken;
    const wait = await until('the retry to wait again with its own task', async () => {
      const w = await store.getWait(round.id, 'liperi', 'proposal');
      return w && w.taskToken !== first ? w : undefined;
    });

    // assess: one mail, one link, and the retried task is the one the link resumes
    expect(died.crashes).toBe(1);
    const mail = await mailbox.mailTo(PREPARER, /^Pyyntö/);
    await sleep(500);
    expect(await mailsTo(PREPARER)).toHaveLength(1);
    const { links } = await itemsOf(round.id);
    expect(links.map((l) => [l.step, l.status])).toEqual([['proposal', 'open']]);
    expect(wait.linkTokenHash).toBe(links[0]?.tokenHash);
    expect((await fetch(mailbox.linkIn(mail))).status).toBe(200); // the wait's link (else 410)
    expect(first).toBeTruthy();
    const proposed = await mailbox.postLink(mailbox.linkIn(mail), {
      text: '',
      'nominees.0.name': 'Eeva Elomäki',
      'nominees.0.title': 'hyvinvointi- ja hankekoordinaattori',
      'nominees.0.email': 'eeva.elomaki@liperi.example',
    });
    expect(proposed.status).toBe(200);
    await until('the approval request', async () =>
      (await mailsTo(PREPARER)).some((m) => /^Hyväksyttävänä/.test(m.subject)) ? true : undefined,
    );
    figures.crashAfterRequestMail = { crashes: died.crashes, mails: 1, links: links.length };
  });

  it('sends and records nothing twice when SendExcerpts and RecordMembers die after their work, or the mailer after recording a mail', async () => {
    // prepare: three deaths: inside SendExcerpts after its third mail is recorded, at the end
    // of SendExcerpts, at the end of RecordMembers
    await mailbox.ses.clear();
    const { round, arn } = await decidedNomination();
    let recorded = 0;
    const inMailer = crash(1, () => ++recorded === 3);
    const afterExcerpts = crash(1);
    const afterMembers = crash(1);
    armFaultPoint('mail:recorded', inMailer);
    armFaultPoint('step-done:SendExcerpts', afterExcerpts);
    armFaultPoint('step-done:RecordMembers', afterMembers);

    // act
    await runFromExcerpts(round);
    await succeeded(arn);

    // assess
    expect([inMailer.crashes, afterExcerpts.crashes, afterMembers.crashes]).toEqual([1, 1, 1]);
    expect(failures(await history(arn))).toEqual([
      'Runtime.ExitError',
      'Runtime.ExitError',
      'Runtime.ExitError',
    ]);
    for (const address of excerptAddresses(round)) expect(await mailsTo(address), address).toHaveLength(1);
    const rows = await expectConsistentOutbox(round.id);
    const nomination = await store.getNomination(round.id, 'liperi');
    expect(nomination).toMatchObject({ status: 'completed', members: liperiNominees(), version: 3 });
    figures.crashesInExcerptsAndMembers = {
      crashes: 3,
      workflowRetries: 3,
      mails: rows.length,
      nominationVersion: nomination?.version,
    };
  });
});
