import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerThread, HandlerThreadDiedError, HandlerThreadPool } from '../../local/handler-thread.ts';
import type { LocalFunction } from '../../local/template.ts';

const fn = (handlerExport: string, entry = 'test/fixtures/thread-functions.ts'): LocalFunction => ({
  logicalId: handlerExport,
  arn: `arn:aws:lambda:eu-north-1:000000000000:function:${handlerExport}`,
  entry,
  handlerExport,
  environment: {},
});
const FUNCTIONS = [fn('echo'), fn('refuse'), fn('crash'), fn('hold')];

let thread: HandlerThread | undefined;
let pool: HandlerThreadPool | undefined;
afterEach(async () => {
  await thread?.stop();
  await pool?.stop();
  thread = undefined;
  pool = undefined;
});

type Answer = { event: unknown; threadId: number };

describe('the routes’ functions on a thread of their own', () => {
  it('runs a function on another thread and answers with its result, a copy of the event in it', async () => {
    thread = await HandlerThread.start(FUNCTIONS);
    const event = { rawPath: '/l/abc', headers: { 'user-agent': 'ä' } };
    const answer = (await thread.invoke(`${fn('echo').arn}:$LATEST`, event)) as {
      event: unknown;
      threadId: number;
    };
    expect(answer.event).toEqual(event);
    expect(answer.threadId).not.toBe(threadId);
  });

  it('rejects with the handler’s error, its name kept', async () => {
    thread = await HandlerThread.start(FUNCTIONS);
    await expect(thread.invoke(fn('refuse').arn, {})).rejects.toMatchObject({
      name: 'Custom.Refused',
      message: 'not today',
    });
    await expect(thread.invoke('nonexistent', {})).rejects.toMatchObject({
      name: 'Lambda.ResourceNotFoundException',
    });
  });

  it('fails the invocations a dying thread held, and runs the next one on a fresh thread', async () => {
    thread = await HandlerThread.start(FUNCTIONS);
    const before = ((await thread.invoke(fn('echo').arn, {})) as { threadId: number }).threadId;
    const held = thread.invoke(fn('echo').arn, { n: 1 });
    const crashed = thread.invoke(fn('crash').arn, {});
    await expect(held).resolves.toMatchObject({ event: { n: 1 } });
    await expect(crashed).rejects.toBeInstanceOf(HandlerThreadDiedError);
    const after = (await thread.invoke(fn('echo').arn, { n: 2 })) as { event: unknown; threadId: number };
    expect(after.event).toEqual({ n: 2 });
    expect(after.threadId).not.toBe(before);
  });

  it('does not start, nor start again and again, with a function that fails to import', async () => {
    await expect(
      HandlerThread.start([fn('broken', 'test/fixtures/thread-functions-broken.ts')]),
    ).rejects.toThrow('broken at import');
  });

  it('fails what it still held when stopped', async () => {
    thread = await HandlerThread.start(FUNCTIONS);
    const never = thread.invoke(fn('crash').arn, {}).catch((error: Error) => error);
    await thread.stop();
    expect(await never).toBeInstanceOf(HandlerThreadDiedError);
  });
});

describe('a pool of such threads (concurrent containers)', () => {
  it('spreads invocations at once over its threads, and takes turns when they come one by one', async () => {
    pool = await HandlerThreadPool.start(FUNCTIONS, 2);
    const started = pool;
    const atOnce = (await Promise.all(
      Array.from({ length: 4 }, (_, n) => started.invoke(fn('echo').arn, { n })),
    )) as Answer[];
    expect(atOnce.map((a) => a.event)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
    expect(new Set(atOnce.map((a) => a.threadId)).size).toBe(2);

    const oneByOne: number[] = [];
    for (let n = 0; n < 4; n++)
      oneByOne.push(((await pool.invoke(fn('echo').arn, { n })) as Answer).threadId);
    expect(new Set(oneByOne).size).toBe(2);
    expect(oneByOne).not.toContain(threadId);
  });

  it('sends an invocation to the thread holding fewer', async () => {
    pool = await HandlerThreadPool.start(FUNCTIONS, 2);
    const held = pool.invoke(fn('hold').arn, { ms: 400 }) as Promise<Answer>;
    const others: number[] = [];
    for (let n = 0; n < 3; n++) others.push(((await pool.invoke(fn('echo').arn, { n })) as Answer).threadId);
    const holder = (await held).threadId;
    expect(new Set(others).size).toBe(1);
    expect(others[0]).not.toBe(holder);
  });

  it('keeps answering when one of its threads dies', async () => {
    pool = await HandlerThreadPool.start(FUNCTIONS, 2);
    await expect(pool.invoke(fn('crash').arn, {})).rejects.toBeInstanceOf(HandlerThreadDiedError);
    const started = pool;
    const after = (await Promise.all(
      Array.from({ length: 4 }, (_, n) => started.invoke(fn('echo').arn, { n })),
    )) as Answer[];
    expect(after.map((a) => a.event)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('does not start when one of its threads cannot', async () => {
    await expect(
      HandlerThreadPool.start([fn('broken', 'test/fixtures/thread-functions-broken.ts')], 2),
    ).rejects.toThrow('broken at import');
  });
});
