/**
 * Restarts of the embedded stack: `npm start` (local/start.ts) as a child process on a data
 * folder of its own, killed with SIGKILL while nominations wait for a proposal, an approval
 * and a decision, and stopped with SIGTERM while a link's POST is in flight. After each start
 * the executions are where they were (same states, same history), the links mailed before
 * still work, the workflows run to their end and no mail is sent twice. The round's Wait
 * (shortened with the local wait override) keeps its due time across the clean restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { excerptRecipients } from '../../functions/domain/excerpt.ts';
import { actorOf } from '../../functions/domain/round.ts';
import { helsinkiDate } from '../../functions/domain/time.ts';
import type { Municipality, Person, Round } from '../../functions/domain/types.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';
import { createClients, shiftRoundDatesToToday } from '../../local/client.ts';
import { localStateMachineArn, localUrls, type Ports, sdkEnvironment } from '../../local/endpoints.ts';
import { freePort } from '../../local/free-port.ts';
import { hiddenFields, nomineeFields, stepOfPage } from '../../local/officials.ts';
import { type SesMail, SesStore } from '../../local/ses-store.ts';
import { RoundStates } from '../../workflows/states.ts';
import { until } from '../support/rounds.ts';

type Step = 'proposal' | 'approval' | 'decision';

const START_TIMEOUT_MS = 240_000;
/** The round's start-date wait, shortened (a local-only override); it must outlast a restart. */
const START_WAIT_MS = 60_000;

interface StackProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** From spawn to "is up". */
  upMs: number;
  upAt: number;
  restored: { executions: number; running: number; replayMs: number; mails: number };
}

/** `npm start` as a person runs it, on these ports and this data folder. */
async function startStack(dataDir: string, ports: Ports): Promise<StackProcess> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NIMITYS_DATA_DIR: dataDir,
      NIMITYS_PORT_DYNAMODB: String(ports.dynamodb),
      NIMITYS_PORT_SES: String(ports.ses),
      NIMITYS_PORT_SFN: String(ports.sfn),
      NIMITYS_PORT_HTTP: String(ports.http),
      NIMITYS_LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stack did not start:\n${text}`)), START_TIMEOUT_MS);
    const poll = setInterval(() => {
      if (/restored \d+ executions/.test(text) && text.includes('Ctrl-C stops it')) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 50);
    exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`stack exited with ${code}:\n${text}`));
    });
  });
  const match = /restored (\d+) executions, (\d+) of them running \(replayed in (\d+) ms\); (\d+) mails/.exec(
    text,
  );
  return {
    child,
    output: () => text,
    exited,
    upMs: Date.now() - started,
    upAt: Date.now(),
    restored: {
      executions: Number(match?.[1]),
      running: Number(match?.[2]),
      replayMs: Number(match?.[3]),
      mails: Number(match?.[4]),
    },
  };
}

/** Some municipalities of one group of the example round, its dates moved to today. */
function roundFile(
  id: string,
  groupId: string,
  municipalityIds: string[],
): { text: string; municipalities: Municipality[]; round: Round } {
  const example = parseYaml(
    readFileSync(path.join(PROJECT_ROOT, 'examples', 'pohjois-karjala-2024.yaml'), 'utf8'),
  ) as Record<string, unknown> & {
    requestDate: string;
    deadline: string;
    startDate: string;
    municipalities: Municipality[];
    groups: Array<Record<string, unknown> & { id: string; municipalities: string[] }>;
  };
  const shifted = shiftRoundDatesToToday(example, helsinkiDate(new Date()));
  const group = shifted.groups.find((g) => g.id === groupId);
  if (!group) throw new Error(`${groupId} is not in the example round`);
  const municipalities = shifted.municipalities.filter((m) => municipalityIds.includes(m.id));
  const file = { ...shifted, id, municipalities, groups: [{ ...group, municipalities: municipalityIds }] };
  const round = {
    ...file,
    groups: [{ ...group, municipalityIds }],
  } as unknown as Round;
  return { text: stringifyYaml(file), municipalities, round };
}

/** Every mail a round whose municipalities all adopt their proposal must produce: recipient → count. */
function expectedMails(round: Round, into = new Map<string, number>()): Map<string, number> {
  const add = (email: string) => into.set(email.toLowerCase(), (into.get(email.toLowerCase()) ?? 0) + 1);
  for (const municipality of round.municipalities) {
    for (const step of ['proposal', 'approval', 'decision'] as const) add(actorOf(municipality, step).email);
    const nominees = nomineesOf(municipality.id);
    const decision = {
      outcome: 'adopted' as const,
      meetingDate: '',
      section: '',
      text: '',
      nominees,
      decidedAt: '',
      recordedBy: '',
    };
    for (const recipient of excerptRecipients({ round, municipality, decision })) add(recipient.email);
    for (const member of nominees) add(member.email); // welcome
    add(municipality.presenter.email); // the group started
  }
  for (const group of round.groups) {
    add(round.organiser.registryEmail); // roster and plan
    const others = [...(group.representatives ?? []), ...(group.partners ?? [])];
    for (const email of new Set(others.map((p) => p.email.toLowerCase()))) add(email);
  }
  return into;
}

function nomineesOf(municipalityId: string): Person[] {
  return [1, 2].map((n) => ({
    name: `Henkilö ${n} ${municipalityId}`,
    title: 'hyvinvointikoordinaattori',
    email: `nimetty${n}@${municipalityId}.example`,
  }));
}

describe('restarts of the embedded stack', () => {
  const tag = Date.now().toString(36);
  const roundA = `restart-kill-${tag}`;
  const roundB = `restart-term-${tag}`;
  let dataDir: string;
  let ports: Ports;
  let stack: StackProcess | undefined;
  let clients: ReturnType<typeof createClients>;
  /** For the second round: its start-date wait is nearly nothing. */
  let quick: ReturnType<typeof createClients>;
  let ses: SesStore;
  let linkPattern: RegExp;
  const measured: Record<string, unknown> = {};
  const nominationArn = (roundId: string, municipalityId: string) =>
    `${localStateMachineArn('Nomination').replace(':stateMachine:', ':execution:')}:${roundId}--${municipalityId}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'nimitys-restart-'));
    ports = {
      dynamodb: await freePort(),
      ses: await freePort(),
      sfn: await freePort(),
      http: await freePort(),
    };
    Object.assign(process.env, sdkEnvironment(ports), { TABLE_NAME: 'nimitys', NIMITYS_LOG_LEVEL: 'silent' });
    clients = createClients({ waitOverrides: { [RoundStates.WaitForStartDate]: START_WAIT_MS } });
    quick = createClients({ waitOverrides: { [RoundStates.WaitForStartDate]: 500 } });
    ses = new SesStore(localUrls(ports).ses);
    linkPattern = new RegExp(`${localUrls(ports).http}/l/[A-Za-z0-9_-]{43}`);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    clients?.close();
    quick?.close();
    if (stack && stack.child.exitCode === null) {
      stack.child.kill('SIGKILL');
      await stack.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`[restart] measured ${JSON.stringify(measured)}`);
  });

  /** The link the step's official holds now: the newest mailed link whose page is that step's form. */
  async function linkFor(municipality: Municipality, step: Step): Promise<string> {
    const to = actorOf(municipality, step).email;
    return until(
      `the ${step} link of ${municipality.id}`,
      async () => {
        const mails = (await ses.mailsSince())
          .filter((m) => m.to === to && linkPattern.test(m.text))
          .reverse();
        for (const mail of mails) {
          const url = linkPattern.exec(mail.text)?.[0] as string;
          const page = await fetch(url);
          const html = await page.text();
          if (page.status === 200 && stepOfPage(html) === step) return url;
        }
        return undefined;
      },
      60_000,
    );
  }

  /** What the official fills in on the step's form. */
  async function formFor(url: string, municipality: Municipality): Promise<Record<string, string>> {
    const page = await fetch(url);
    const html = await page.text();
    expect(page.status).toBe(200);
    const step = stepOfPage(html);
    const fields: Record<string, string> = { ...hiddenFields(html) };
    if (step === 'proposal') Object.assign(fields, nomineeFields(nomineesOf(municipality.id)), { text: '' });
    if (step === 'approval') fields.action = 'approve';
    if (step === 'decision') {
      Object.assign(fields, {
        meetingDate: helsinkiDate(new Date()),
        section: '12',
        outcome: 'adopted',
        text: 'Hyväksyttiin päätösehdotus.',
      });
    }
    return fields;
  }

  async function act(municipality: Municipality, step: Step): Promise<void> {
    const url = await linkFor(municipality, step);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(await formFor(url, municipality)).toString(),
    });
    expect(response.status, `${municipality.id} ${step}`).toBe(200);
  }

  async function executionsOf(stateMachineArn: string) {
    const out = await clients.sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100 }));
    return out.executions ?? [];
  }

  async function historyOf(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await clients.sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }

  const lastState = (events: HistoryEvent[]) =>
    events.filter((e) => e.stateEnteredEventDetails?.name).at(-1)?.stateEnteredEventDetails?.name;

  /** Waits until the nomination sits in `state` with its request mailed (TaskSubmitted). */
  async function waitingAt(roundId: string, municipalityId: string, state: string): Promise<HistoryEvent[]> {
    return until(
      `${municipalityId} waiting at ${state}`,
      async () => {
        const events = await historyOf(nominationArn(roundId, municipalityId));
        return lastState(events) === state && events.at(-1)?.type === 'TaskSubmitted' ? events : undefined;
      },
      60_000,
    );
  }

  async function snapshot(roundId: string) {
    const arns = [
      ...(await executionsOf(localStateMachineArn('Round'))),
      ...(await executionsOf(localStateMachineArn('Nomination'))),
    ]
      .filter((e) => e.name?.startsWith(roundId))
      .map((e) => e.executionArn as string)
      .sort();
    const described: Record<string, Omit<DescribeExecutionCommandOutput, '$metadata'>> = {};
    const histories: Record<string, HistoryEvent[]> = {};
    for (const arn of arns) {
      const { $metadata: _, ...description } = await clients.sfn.send(
        new DescribeExecutionCommand({ executionArn: arn }),
      );
      described[arn] = description;
      histories[arn] = await historyOf(arn);
    }
    return { arns, described, histories };
  }

  const mailKey = (m: SesMail) => `${m.to} | ${m.subject}`;

  function expectEachMailOnce(mails: SesMail[]): void {
    const keys = mails.map(mailKey);
    const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(repeated).toEqual([]);
  }

  async function finished(executionArn: string, timeoutMs = 90_000) {
    return until(
      `${executionArn} to finish`,
      async () => {
        const out = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
        return out.status === 'RUNNING' ? undefined : out;
      },
      timeoutMs,
    );
  }

  let roundOfA: Round | undefined;
  const roundArn = (roundId: string) =>
    `${localStateMachineArn('Round').replace(':stateMachine:', ':execution:')}:${roundId}`;

  it('after SIGKILL: the same executions at the same states, the mailed links work, everything ends, each mail once', async () => {
    // prepare: three nominations, waiting for a proposal, an approval and a decision
    stack = await startStack(dataDir, ports);
    measured.firstStartMs = stack.upMs;
    const round = roundFile(roundA, 'keski-karjala', ['heinavesi', 'kitee', 'raakkyla']);
    roundOfA = round.round;
    const [atProposal, atApproval, atDecision] = round.municipalities as [
      Municipality,
      Municipality,
      Municipality,
    ];
    expect((await clients.startRound(round.text)).created).toBe(true);
    await act(atApproval, 'proposal');
    await act(atDecision, 'proposal');
    await act(atDecision, 'approval');
    await waitingAt(roundA, atProposal.id, 'RequestProposal');
    await waitingAt(roundA, atApproval.id, 'RequestApproval');
    await waitingAt(roundA, atDecision.id, 'RequestDecision');
    const before = await snapshot(roundA);
    expect(before.arns).toHaveLength(4);
    expect(Object.values(before.described).map((d) => d.status)).toEqual(Array(4).fill('RUNNING'));
    const mailsBefore = await ses.mailsSince();

    // act: kill -9, start again on the same data
    stack.child.kill('SIGKILL');
    expect(await stack.exited).toBe(null);
    const killedAt = Date.now();
    stack = await startStack(dataDir, ports);
    measured.afterKill = { restartMs: Date.now() - killedAt, ...stack.restored };

    // assess: the same executions, at the same states, with the same history
    expect(stack.restored.running).toBe(4);
    expect(stack.restored.mails).toBe(mailsBefore.length);
    const after = await snapshot(roundA);
    expect(after.arns).toEqual(before.arns);
    expect(after.described).toEqual(before.described);
    expect(after.histories).toEqual(before.histories);
    expect(lastState(after.histories[nominationArn(roundA, atProposal.id)] ?? [])).toBe('RequestProposal');
    expect(lastState(after.histories[nominationArn(roundA, atApproval.id)] ?? [])).toBe('RequestApproval');
    expect(lastState(after.histories[nominationArn(roundA, atDecision.id)] ?? [])).toBe('RequestDecision');
    // the mail store kept what was sent before the kill
    expect((await ses.mailsSince()).map(mailKey)).toEqual(mailsBefore.map(mailKey));

    // the links mailed before the kill open and act (the task tokens behind them are the same)
    await act(atProposal, 'proposal');
    await act(atApproval, 'approval');
    await act(atDecision, 'decision');
    await act(atProposal, 'approval');
    await act(atApproval, 'decision');
    await act(atProposal, 'decision');
    for (const m of round.municipalities) {
      expect((await finished(nominationArn(roundA, m.id))).status).toBe('SUCCEEDED');
    }
    // the round waits for its groups' start date (shortened) before it activates them
    await until(
      'the round waiting for the start date',
      async () => lastState(await historyOf(roundArn(roundA))) === RoundStates.WaitForStartDate || undefined,
      30_000,
    );

    const mails = await ses.mailsSince();
    expectEachMailOnce(mails);
    for (const mail of mailsBefore) {
      expect(
        mails.filter((m) => mailKey(m) === mailKey(mail)),
        mailKey(mail),
      ).toHaveLength(1);
    }
    measured.mails = { beforeKill: mailsBefore.length, afterNominations: mails.length };
  }, 600_000);

  it('after SIGTERM: the POST in flight is answered, the stop is clean, and the round’s Wait keeps its due time', async () => {
    if (!stack) throw new Error('the first case did not leave a running stack');
    const round = roundFile(roundB, 'pielisen-karjala', ['nurmes']);
    const [municipality] = round.municipalities as [Municipality];
    expect((await quick.startRound(round.text)).created).toBe(true);
    const url = await linkFor(municipality, 'proposal');
    const body = new URLSearchParams(await formFor(url, municipality)).toString();
    const waitEntered = (await historyOf(roundArn(roundA))).find((e) => e.type === 'WaitStateEntered');
    expect(waitEntered).toBeDefined();

    // act: a POST whose body is still on its way when the stack is told to stop
    const posted = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        stack?.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(20)), 500);
      }, 300);
    });
    const answer = await posted;
    const stoppedWith = await stack.exited;
    const termOutput = stack.output();

    // assess: answered, exit 0, and the proposal was taken (the approval request went out)
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    expect(stoppedWith).toBe(0);
    measured.cleanStop = /stopped in (\d+) ms/.exec(termOutput)?.[1];
    const stoppedAt = Date.now();
    stack = await startStack(dataDir, ports);
    measured.afterTerm = { restartMs: Date.now() - stoppedAt, ...stack.restored };
    expect(stack.restored.running).toBe(3); // the first round (waiting), the second and its nomination
    await waitingAt(roundB, municipality.id, 'RequestApproval');
    await act(municipality, 'approval');
    await act(municipality, 'decision');
    expect((await finished(nominationArn(roundB, municipality.id))).status).toBe('SUCCEEDED');

    // the first round's Wait ends when it was due, not a whole wait after the restart
    expect((await finished(roundArn(roundA), START_WAIT_MS + 60_000)).status).toBe('SUCCEEDED');
    const events = await historyOf(roundArn(roundA));
    const entered = events.find((e) => e.type === 'WaitStateEntered')?.timestamp?.getTime() ?? 0;
    const exited = events.find((e) => e.type === 'WaitStateExited')?.timestamp?.getTime() ?? 0;
    expect(entered).toBe(waitEntered?.timestamp?.getTime());
    const due = entered + START_WAIT_MS;
    measured.wait = { dueInMsAfterRestart: due - stack.upAt, lateByMs: exited - due };
    expect(exited).toBeGreaterThanOrEqual(due - 50);
    // Due after the restart: on time. Due while stopped: at once when the stack is up.
    expect(exited).toBeLessThan(Math.max(due, stack.upAt) + 3_000);
    expect((await finished(roundArn(roundB))).status).toBe('SUCCEEDED');

    // every mail of both rounds, across three starts of the stack, exactly once
    const mails = await ses.mailsSince();
    expectEachMailOnce(mails);
    const expected = expectedMails(round.round, expectedMails(roundOfA as Round));
    const received = new Map<string, number>();
    for (const mail of mails)
      received.set(mail.to.toLowerCase(), (received.get(mail.to.toLowerCase()) ?? 0) + 1);
    expect(Object.fromEntries([...received].sort())).toEqual(Object.fromEntries([...expected].sort()));
    measured.mails = { ...(measured.mails as object), total: mails.length };
  }, 600_000);
});
