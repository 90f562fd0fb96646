import { afterAll, describe, expect, it } from 'vitest';
import { INSTRUMENT_THREAD, instrument } from '../../bench/lib/instrument.ts';
import { HandlerThreadPool } from '../../local/handler-thread.ts';
import type { LocalFunction } from '../../local/template.ts';

const echo: LocalFunction = {
  logicalId: 'EchoFn',
  arn: 'arn:aws:lambda:eu-north-1:000000000000:function:EchoFn',
  entry: 'test/fixtures/thread-functions.ts',
  handlerExport: 'echo',
  environment: {},
};

let threads: HandlerThreadPool | undefined;
afterAll(() => threads?.stop());

describe('the benchmarks’ counters', () => {
  it('count the invocations of every routes’ thread on the main thread (the cost model’s link pages)', async () => {
    const counters = instrument();
    threads = await HandlerThreadPool.start([echo], 2, [INSTRUMENT_THREAD]);

    const answers = (await Promise.all(
      Array.from({ length: 4 }, (_, i) => threads?.invoke(echo.arn, { i })),
    )) as Array<{ threadId: number }>;

    expect(new Set(answers.map((a) => a.threadId)).size).toBe(2);
    await expect.poll(() => counters.invocations.EchoFn?.count, { timeout: 5000 }).toBe(4);
    expect(counters.invocations.EchoFn?.totalMs).toBeGreaterThan(0);
  });
});
