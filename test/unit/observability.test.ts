/**
 * What a workflow step writes to its logs and metrics: structured JSON with the Lambda
 * context and the nomination as correlation id, nothing from the event beyond ids; EMF
 * metrics only inside Lambda.
 */
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const context = {
  awsRequestId: 'req-1',
  functionName: 'NimitysApp-PlanWaitFn',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-north-1:123456789012:function:NimitysApp-PlanWaitFn',
  memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 1000,
} as unknown as Context;

/** Everything written to stdout/stderr while `run` runs, as parsed JSON lines. */
async function captured(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const grab = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(grab);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(grab);
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => grab(a.join(' ')));
  const info = vi.spyOn(console, 'info').mockImplementation((...a) => grab(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => grab(a.join(' ')));
  const warn = vi.spyOn(console, 'warn').mockImplementation((...a) => grab(a.join(' ')));
  try {
    await run().catch(() => undefined);
  } finally {
    for (const spy of [out, err, log, info, error, warn]) spy.mockRestore();
  }
  return lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe("a workflow step's logs", () => {
  beforeEach(() => {
    vi.resetModules();
    delete process.env.NIMITYS_LOG_LEVEL;
  });
  afterEach(() => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  });

  it('are JSON lines with the Lambda context and the nomination as correlation id, without the event', async () => {
    // prepare: a step whose event carries personal data next to the ids
    const { stepHandler } = await import('../../functions/shared/middleware.ts');
    const handler = stepHandler('PlanWait', async () => ({ ok: true }));
    const event = {
      roundId: 'pk-2024',
      municipalityId: 'liperi',
      taskToken: 'AQB-secret-task-token',
      email: 'kirjaaja@liperi.fi',
    };
    // act
    const lines = await captured(() => handler(event, context));
    // assess
    const done = lines.find((l) => l.message === 'step done');
    expect(done).toMatchObject({
      level: 'INFO',
      service: 'nimitys',
      correlation_id: 'pk-2024/liperi',
      function_request_id: 'req-1',
      step: 'PlanWait',
      roundId: 'pk-2024',
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('AQB-secret-task-token');
    expect(text).not.toContain('kirjaaja@liperi.fi');
  });

  it('name the error of a failed step and rethrow it under its own name', async () => {
    const { stepHandler } = await import('../../functions/shared/middleware.ts');
    class ConflictError extends Error {
      override readonly name = 'ConflictError';
    }
    const handler = stepHandler('SendExcerpts', async () => {
      throw new ConflictError('claimed by another attempt');
    });
    let thrown: unknown;
    const lines = await captured(() =>
      handler({ roundId: 'r', municipalityId: 'm' }, context).catch((e: unknown) => {
        thrown = e;
      }),
    );
    expect((thrown as Error).name).toBe('ConflictError');
    expect(lines.find((l) => l.message === 'step failed')).toMatchObject({
      level: 'ERROR',
      error: 'ConflictError',
      correlation_id: 'r/m',
    });
  });
});

describe('custom metrics', () => {
  beforeEach(() => vi.resetModules());
  afterEach(() => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  });

  it('are written in the embedded metric format inside Lambda, and not at all outside it', async () => {
    const { countMetric } = await import('../../functions/shared/metrics.ts');
    expect(await captured(async () => countMetric('LinkUsed'))).toEqual([]);

    process.env.AWS_LAMBDA_FUNCTION_NAME = 'NimitysApp-LinkPageFn';
    const lines = await captured(async () => countMetric('LinkUsed'));
    const emf = lines.find((l) => '_aws' in l) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> };
    };
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Nimitys',
      Metrics: [{ Name: 'LinkUsed' }],
    });
    expect(emf).toMatchObject({ LinkUsed: 1, service: 'nimitys' });
  });
});
