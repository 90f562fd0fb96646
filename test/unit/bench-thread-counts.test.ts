import { afterAll, describe, expect, it } from 'vitest';
import { INSTRUMENT_THREAD, instrument } from '../../bench/lib/instrument.ts';
import { HandlerThread } from '../../local/handler-thread.ts';
import type { LocalFunction } from '../../local/template.ts';

const echo: LocalFunction = {
  logicalId: 'EchoFn',
  arn: 'arn:aws:lambda:eu-north-1:000000000000:function:EchoFn',
  entry: 'test/fixtures/thread-functions.ts',
  handlerExport: 'echo',
  environment: {},
};

let thread: HandlerThread | undefined;
afterAll(() => thread?.stop());

describe('the benchmarks’ counters', () => {
  it('count the invocations of the routes’ thread on the main thread (the cost model’s link pages)', async () => {
    const counters = instrument();
    thread = await HandlerThread.start([echo], [INSTRUMENT_THREAD]);

    for (let i = 0; i < 3; i++) await thread.invoke(echo.arn, { i });

    await expect.poll(() => counters.invocations.EchoFn?.count, { timeout: 5000 }).toBe(3);
    expect(counters.invocations.EchoFn?.totalMs).toBeGreaterThan(0);
  });
});
