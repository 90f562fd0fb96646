import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerThread, HandlerThreadDiedError } from '../../local/handler-thread.ts';
import type { LocalFunction } from '../../local/template.ts';

const fn = (handlerExport: string, entry = 'test/fixtures/thread-functions.ts'): LocalFunction => ({
  logicalId: handlerExport,
  arn: `arn:aws:lambda:eu-north-1:000000000000:function:${handlerExport}`,
  entry,
  handlerExport,
  environment: {},
});
const FUNCTIONS = [fn('echo'), fn('refuse'), fn('crash')];

let thread: HandlerThread | undefined;
afterEach(async () => {
  await thread?.stop();
  thread = undefined;
});

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
