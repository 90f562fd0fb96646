/**
 * Runs the project's Lambda handlers in this process, the way the Lambda runtime would:
 * the module is imported once (its clients and config are built once, as in a warm
 * container) and each invocation gets a fresh context. Errors keep their `name`, which
 * is what Step Functions matches in Retry and Catch.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { PROJECT_ROOT } from '../infra/paths.ts';
import type { LocalFunction } from './template.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export class FunctionNotFoundError extends Error {
  override readonly name = 'Lambda.ResourceNotFoundException';
}

export class LocalLambdaRuntime {
  private readonly byKey = new Map<string, LocalFunction>();
  private readonly loaded = new Map<string, Promise<Handler>>();

  constructor(functions: LocalFunction[]) {
    for (const fn of functions) {
      this.byKey.set(fn.arn, fn);
      this.byKey.set(fn.logicalId, fn);
    }
  }

  /** Imports every handler now, so the first request does not pay for it. */
  async warm(): Promise<void> {
    await Promise.all([...new Set(this.byKey.values())].map((fn) => this.handler(fn)));
  }

  private handler(fn: LocalFunction): Promise<Handler> {
    let loading = this.loaded.get(fn.logicalId);
    if (!loading) {
      loading = import(pathToFileURL(path.join(PROJECT_ROOT, fn.entry)).href).then((module) => {
        const handler = module[fn.handlerExport];
        if (typeof handler !== 'function') throw new Error(`${fn.entry} exports no ${fn.handlerExport}`);
        return handler as Handler;
      });
      this.loaded.set(fn.logicalId, loading);
    }
    return loading;
  }

  async invoke(functionArnOrName: string, payload: unknown): Promise<unknown> {
    // A qualified ARN (":$LATEST", ":alias") names the same function.
    const key = functionArnOrName.replace(/(:function:[^:]+):[^:]+$/, '$1');
    const fn = this.byKey.get(key);
    if (!fn) throw new FunctionNotFoundError(`Function not found: ${functionArnOrName}`);
    const handler = await this.handler(fn);
    const deadline = Date.now() + 5 * 60_000;
    const context = {
      awsRequestId: randomUUID(),
      functionName: fn.logicalId,
      functionVersion: '$LATEST',
      invokedFunctionArn: fn.arn,
      memoryLimitInMB: '512',
      logGroupName: `/aws/lambda/${fn.logicalId}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;
    // Handlers see a copy, as they would after JSON serialisation over the wire.
    const result = await handler(structuredClone(payload), context);
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  }
}
