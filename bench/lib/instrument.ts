/**
 * Counters for the benchmarks, hooked into this process: every DynamoDB and SES request
 * the handlers make (through their shared SDK clients) and every function invocation of
 * the embedded stack. Benchmark-only: nothing here runs in the product.
 */
import { dynamoClient, sesClient } from '../../functions/adapters/clients.ts';
import { LocalLambdaRuntime } from '../../local/lambda-runtime.ts';

export interface DynamoCount {
  requests: number;
  readUnits: number;
  writeUnits: number;
  byOperation: Record<string, number>;
}

export interface Counters {
  dynamo: DynamoCount;
  sesSends: number;
  invocations: Record<string, { count: number; totalMs: number }>;
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);

function bytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

export function createCounters(): Counters {
  return {
    dynamo: { requests: 0, readUnits: 0, writeUnits: 0, byOperation: {} },
    sesSends: 0,
    invocations: {},
  };
}

let installed: Counters | undefined;

/** Installs the hooks once per process and returns the live counters. */
export function instrument(): Counters {
  if (installed) return installed;
  const counters = createCounters();
  installed = counters;

  dynamoClient().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const operation = String(context.commandName ?? 'unknown');
      const { dynamo } = counters;
      dynamo.requests++;
      dynamo.byOperation[operation] = (dynamo.byOperation[operation] ?? 0) + 1;
      const output = result.output as {
        Item?: unknown;
        Items?: unknown[];
        Responses?: Record<string, unknown[]>;
      };
      if (operation === 'BatchGetItemCommand') {
        // Each item read is charged on its own: one unit per 4 KB, at least one.
        for (const items of Object.values(output.Responses ?? {})) {
          for (const item of items) dynamo.readUnits += Math.max(1, Math.ceil(bytes(item) / 4096));
        }
      } else if (operation === 'BatchWriteItemCommand') {
        // Each item written is charged on its own: one unit per 1 KB, at least one.
        const { RequestItems = {} } = args.input as {
          RequestItems?: Record<
            string,
            Array<{ PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }>
          >;
        };
        for (const requests of Object.values(RequestItems)) {
          for (const request of requests) {
            const written = request.PutRequest?.Item ?? request.DeleteRequest?.Key;
            dynamo.writeUnits += Math.max(1, Math.ceil(bytes(written) / 1024));
          }
        }
      } else if (READS.has(operation)) {
        // Strongly consistent reads: one unit per 4 KB read, at least one. An answer under
        // 4 KB on the wire (DynamoDB JSON, larger than the items) is one unit: no need to measure.
        const wire = Number(
          (result.response as { headers?: Record<string, string> })?.headers?.['content-length'],
        );
        const size =
          wire > 0 && wire < 4096
            ? 0
            : bytes(output.Item) + (output.Items ?? []).reduce<number>((sum, item) => sum + bytes(item), 0);
        dynamo.readUnits += Math.max(1, Math.ceil(size / 4096));
      } else {
        // Writes: one unit per 1 KB written, at least one.
        const input = args.input as { Item?: unknown };
        dynamo.writeUnits += Math.max(1, Math.ceil(bytes(input.Item ?? args.input) / 1024));
      }
      return result;
    },
    { step: 'initialize', name: 'benchDynamoCounter' },
  );

  sesClient().middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      counters.sesSends++;
      return result;
    },
    { step: 'initialize', name: 'benchSesCounter' },
  );

  const invoke = LocalLambdaRuntime.prototype.invoke;
  LocalLambdaRuntime.prototype.invoke = async function timedInvoke(this: LocalLambdaRuntime, arn, payload) {
    const started = performance.now();
    try {
      return await invoke.call(this, arn, payload);
    } finally {
      const name = String(arn).split(':').pop() ?? String(arn);
      const entry = counters.invocations[name] ?? { count: 0, totalMs: 0 };
      counters.invocations[name] = entry;
      entry.count++;
      entry.totalMs += performance.now() - started;
    }
  };
  return counters;
}

/** A copy of the counters now, for before/after differences. */
export function snapshot(counters: Counters): Counters {
  return structuredClone(counters);
}

export function difference(after: Counters, before: Counters): Counters {
  const invocations: Counters['invocations'] = {};
  for (const [name, entry] of Object.entries(after.invocations)) {
    const was = before.invocations[name] ?? { count: 0, totalMs: 0 };
    if (entry.count > was.count)
      invocations[name] = { count: entry.count - was.count, totalMs: entry.totalMs - was.totalMs };
  }
  const byOperation: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.dynamo.byOperation)) {
    const delta = n - (before.dynamo.byOperation[op] ?? 0);
    if (delta) byOperation[op] = delta;
  }
  return {
    dynamo: {
      requests: after.dynamo.requests - before.dynamo.requests,
      readUnits: after.dynamo.readUnits - before.dynamo.readUnits,
      writeUnits: after.dynamo.writeUnits - before.dynamo.writeUnits,
      byOperation,
    },
    sesSends: after.sesSends - before.sesSends,
    invocations,
  };
}
