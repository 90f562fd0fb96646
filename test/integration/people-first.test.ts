/**
 * The embedded stack answers people before it runs workflow tasks (local/foreground-first.ts):
 * a task that comes due while a request is being answered waits for the answer, and under
 * steady load for at most WORKFLOW_TASK_MAX_DELAY_MS (2 s). Driven through the real engine, the synthesized round
 * workflow and its RecordRound function on dynalite.
 */
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../local/client.ts';
import { type EmbeddedStack, startEmbeddedStack, WORKFLOW_TASK_MAX_DELAY_MS } from '../../local/stack.ts';
import { liperiRound } from '../fixtures/liperi.ts';
import { roundFile, until } from '../support/rounds.ts';

vi.hoisted(() => {
  process.env.NIMITYS_LOG_LEVEL = 'silent';
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('people first on the embedded stack', () => {
  let stack: EmbeddedStack;
  let clients: ReturnType<typeof createClients>;

  beforeAll(async () => {
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    clients = createClients();
  });

  afterAll(async () => {
    clients?.close();
    await stack?.stop();
  });

  /** A person's request the test answers when it says so. */
  function answering(): { done(): Promise<void> } {
    let finish = () => {};
    const request = stack.peopleFirst.foreground(() => new Promise<void>((resolve) => (finish = resolve)));
    return {
      done: async () => {
        finish();
        await request;
      },
    };
  }

  /** When the round's RecordRound task was scheduled, from the execution's history. */
  async function recordRoundScheduled(executionArn: string): Promise<number | undefined> {
    const { events = [] } = await clients.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    return events.find((e) => e.type === 'TaskScheduled')?.timestamp?.getTime();
  }

  it('runs a task that came due during a request once the request is answered', async () => {
    const round = { ...liperiRound(), id: `first-${Date.now().toString(36)}` };
    const request = answering();
    const { executionArn } = await clients.startRound(roundFile(round));
    const scheduledAt = await until('RecordRound scheduled', () => recordRoundScheduled(executionArn));
    await sleep(400);
    // Due for 400 ms, and not run: RecordRound writes the nominations.
    expect(await clients.store.listNominations(round.id)).toEqual([]);

    const answeredAt = Date.now();
    await request.done();
    const nominations = await until('the nominations recorded', async () => {
      const found = await clients.store.listNominations(round.id);
      return found.length > 0 ? found : undefined;
    });
    expect(nominations.map((n) => n.municipalityId)).toEqual(['liperi']);
    expect(Date.parse(nominations[0]?.updatedAt ?? '')).toBeGreaterThanOrEqual(answeredAt);
    expect(answeredAt - scheduledAt).toBeGreaterThanOrEqual(400);
  });

  it('runs it after at most the hold-back (2 s) when requests keep coming', async () => {
    const round = { ...liperiRound(), id: `steady-${Date.now().toString(36)}` };
    const request = answering();
    try {
      const { executionArn } = await clients.startRound(roundFile(round));
      const scheduledAt = await until('RecordRound scheduled', () => recordRoundScheduled(executionArn));
      const nominations = await until('the nominations recorded', async () => {
        const found = await clients.store.listNominations(round.id);
        return found.length > 0 ? found : undefined;
      });
      const ranAfter = Date.parse(nominations[0]?.updatedAt ?? '') - scheduledAt;
      expect(WORKFLOW_TASK_MAX_DELAY_MS).toBe(2000);
      expect(ranAfter).toBeGreaterThanOrEqual(WORKFLOW_TASK_MAX_DELAY_MS - 50);
      expect(ranAfter).toBeLessThan(WORKFLOW_TASK_MAX_DELAY_MS + 4000);
    } finally {
      await request.done();
    }
  });
});
