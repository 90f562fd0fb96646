/**
 * The floor bench's recorder: per function invocation, the payload, the result and the SDK
 * requests the handler made (bench/floor.ts replays them). It hooks one thread's shared SDK
 * clients and function runtime; recording-thread.ts does the same on the embedded stack's
 * routes' threads and posts each invocation here over RECORDED_CHANNEL.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { dynamoClient, sesClient, sfnClient } from '../../functions/adapters/clients.ts';
import { LocalLambdaRuntime } from '../../local/lambda-runtime.ts';

export interface SdkRequest {
  service: 'dynamodb' | 'ses' | 'sfn';
  command: string;
  input: unknown;
}
export interface Invocation {
  fn: string;
  payload: unknown;
  result: unknown;
  requests: SdkRequest[];
}

export const RECORDED_CHANNEL = 'nimitys-bench-recorded';
/** What each of the embedded stack's routes' threads imports first (EmbeddedStackOptions.routeThreadPreload). */
export const RECORDING_THREAD = new URL('./recording-thread.ts', import.meta.url).href;

const recording = new AsyncLocalStorage<Invocation>();

/**
 * Hooks this thread once. An invocation while `wanted()` becomes an entry, given to
 * `started` as it begins (the order the engine ran them in) and to `ended` with its result.
 */
export function recordInvocations(hooks: {
  wanted(): boolean;
  started?(entry: Invocation): void;
  ended?(entry: Invocation): void;
}): void {
  const record =
    (service: SdkRequest['service']) =>
    (next: (a: never) => Promise<unknown>, context: { commandName?: string }) =>
      (async (args: { input: unknown }) => {
        recording.getStore()?.requests.push({
          service,
          command: String(context.commandName),
          input: structuredClone(args.input),
        });
        return next(args as never);
      }) as never;
  // At the build step lib-dynamodb has already marshalled the input: it replays on the plain client.
  dynamoClient().middlewareStack.add(record('dynamodb'), { step: 'build', name: 'benchRecordDynamo' });
  sesClient().middlewareStack.add(record('ses'), { step: 'build', name: 'benchRecordSes' });
  sfnClient().middlewareStack.add(record('sfn'), { step: 'build', name: 'benchRecordSfn' });
  const invoke = LocalLambdaRuntime.prototype.invoke;
  LocalLambdaRuntime.prototype.invoke = function recordedInvoke(this: LocalLambdaRuntime, arn, payload) {
    if (!hooks.wanted()) return invoke.call(this, arn, payload);
    const entry: Invocation = {
      fn: String(arn).split(':').pop() ?? '',
      payload: structuredClone(payload),
      result: null,
      requests: [],
    };
    hooks.started?.(entry);
    return recording.run(entry, async () => {
      entry.result = await invoke.call(this, arn, payload);
      hooks.ended?.(entry);
      return entry.result;
    });
  };
}
