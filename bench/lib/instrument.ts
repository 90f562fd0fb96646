/**
 * Counters for the benchmarks, hooked into this process: every DynamoDB and SES request
 * the handlers make (through their shared SDK clients) and every function invocation of
 * the embedded stack, on the main thread and on the routes' threads. Benchmark-only:
 * nothing here runs in the product.
 */
import { dynamoClient, sesClient } from '../../functions/adapters/clients.ts';
import { LocalLambdaRuntime } from '../../local/lambda-runtime.ts';
import { fromThreads } from './from-threads.ts';

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

/** One thing counted, where it happened: the counters add them up on the main thread. */
export type Counted =
  | { kind: 'dynamo'; operation: string; readUnits: number; writeUnits: number }
  | { kind: 'ses' }
  | { kind: 'invocation'; name: string; ms: number };

/**
 * The routes' functions run on threads of their own (local/handler-thread.ts), with their
 * own SDK clients: instrument-thread.ts observes them there and posts each count here.
 */
export const COUNTED_CHANNEL = 'nimitys-bench-counted';
/** What each of the embedded stack's routes' threads imports first (EmbeddedStackOptions.routeThreadPreload). */
export const INSTRUMENT_THREAD = new URL('./instrument-thread.ts', import.meta.url).href;

/** The request units of one DynamoDB request, from its input and output. */
function units(
  operation: string,
  input: unknown,
  output: { Item?: unknown; Items?: unknown[]; Responses?: Record<string, unknown[]> },
  response: unknown,
): { readUnits: number; writeUnits: number } {
  if (operation === 'BatchGetItemCommand') {
    // Each item read is charged on its own: one unit per 4 KB, at least one.
    let readUnits = 0;
    for (const items of Object.values(output.Responses ?? {})) {
      for (const item of items) readUnits += Math.max(1, Math.ceil(bytes(item) / 4096));
    }
    return { readUnits, writeUnits: 0 };
  }
  if (operation === 'BatchWriteItemCommand') {
    // Each item written is charged on its own: one unit per 1 KB, at least one.
    const { RequestItems = {} } = input as {
      RequestItems?: Record<
        string,
        Array<{ PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }>
      >;
    };
    let writeUnits = 0;
    for (const requests of Object.values(RequestItems)) {
      for (const request of requests) {
        const written = request.PutRequest?.Item ?? request.DeleteRequest?.Key;
        writeUnits += Math.max(1, Math.ceil(bytes(written) / 1024));
      }
    }
    return { readUnits: 0, writeUnits };
  }
  if (READS.has(operation)) {
    // Strongly consistent reads: one unit per 4 KB read, at least one. An answer under
    // 4 KB on the wire (DynamoDB JSON, larger than the items) is one unit: no need to measure.
    const wire = Number((response as { headers?: Record<string, string> })?.headers?.['content-length']);
    const size =
      wire > 0 && wire < 4096
        ? 0
        : bytes(output.Item) + (output.Items ?? []).reduce<number>((sum, item) => sum + bytes(item), 0);
    return { readUnits: Math.max(1, Math.ceil(size / 4096)), writeUnits: 0 };
  }
  // Writes: one unit per 1 KB written, at least one.
  const { Item } = input as { Item?: unknown };
  return { readUnits: 0, writeUnits: Math.max(1, Math.ceil(bytes(Item ?? input) / 1024)) };
}

/**
 * Hooks this thread's shared SDK clients and function runtime once: every DynamoDB request
 * (with its units), SES send and function invocation (with its time) goes to `count`.
 */
export function observe(count: (counted: Counted) => void): void {
  dynamoClient().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const operation = String(context.commandName ?? 'unknown');
      count({
        kind: 'dynamo',
        operation,
        ...units(operation, args.input, result.output as never, result.response),
      });
      return result;
    },
    { step: 'initialize', name: 'benchDynamoCounter' },
  );
  sesClient().middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      count({ kind: 'ses' });
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
      count({
        kind: 'invocation',
        name: String(arn).split(':').pop() ?? String(arn),
        ms: performance.now() - started,
      });
    }
  };
}

function add(counters: Counters, counted: Counted): void {
  if (counted.kind === 'dynamo') {
    const { dynamo } = counters;
    dynamo.requests++;
    dynamo.byOperation[counted.operation] = (dynamo.byOperation[counted.operation] ?? 0) + 1;
    dynamo.readUnits += counted.readUnits;
    dynamo.writeUnits += counted.writeUnits;
  } else if (counted.kind === 'ses') {
    counters.sesSends++;
  } else {
    const entry = counters.invocations[counted.name] ?? { count: 0, totalMs: 0 };
    counters.invocations[counted.name] = entry;
    entry.count++;
    entry.totalMs += counted.ms;
  }
}

let installed: Counters | undefined;

/**
 * Installs the hooks once per process and returns the live counters: this thread's counts,
 * and the routes' threads's when the stack preloads INSTRUMENT_THREAD there.
 */
export function instrument(): Counters {
  if (installed) return installed;
  const counters = createCounters();
  installed = counters;
  observe((counted) => add(counters, counted));
  fromThreads<Counted>(COUNTED_CHANNEL, (counted) => add(counters, counted));
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
