/**
 * middy wrapper for workflow steps: logs the step's outcome with ids only and
 * rethrows, so Step Functions sees the error's name for Retry and Catch. Each log line
 * carries the Lambda context and the nomination's id as its correlation id.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { faultPoint } from './fault-points.ts';
import { correlateWith, log, withLambdaContext } from './logger.ts';

interface StepEvent {
  roundId?: string;
  municipalityId?: string;
  groupId?: string;
}

export function stepHandler<E extends StepEvent, R>(step: string, fn: (event: E) => Promise<R>) {
  return middy<E, R, Error, Context>()
    .use(withLambdaContext())
    .handler(async (event) => {
      correlateWith(event);
      const ids = {
        step,
        roundId: event.roundId,
        municipalityId: event.municipalityId,
        groupId: event.groupId,
      };
      const started = performance.now();
      try {
        const result = await fn(event);
        faultPoint(`step-done:${step}`, ids);
        log.info('step done', { ...ids, ms: Math.round(performance.now() - started) });
        return result;
      } catch (error) {
        log.error('step failed', {
          ...ids,
          error: (error as Error).name,
          errorMessage: (error as Error).message,
        });
        throw error;
      }
    });
}
