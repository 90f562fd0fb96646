/**
 * Task state handlers: what each supported `Resource` does locally. The engine calls a
 * handler with the state's input after InputPath/Parameters and runs ResultSelector,
 * ResultPath and OutputPath on what it returns, so each handler returns exactly what
 * the AWS integration returns.
 *
 * With a journal (see recorder.ts) every attempt's outcome is recorded, and a replayed
 * execution gets recorded outcomes back without the task running again. A callback or
 * `.sync` task that was waiting when the process stopped waits again for the same
 * token or child, until its original due time.
 */
import { randomUUID } from 'node:crypto';
import {
  HIDDEN_HEARTBEAT_FIELD,
  HIDDEN_TIMEOUT_FIELD,
  type JsonObject,
  type TaskStateInfo,
} from './definition.ts';
import { StepFunctionsError, stateError, UncatchableStateError } from './errors.ts';
import type { ExecutionHistory } from './history.ts';
import type { TaskOutcome, TaskRecord } from './journal.ts';
import { readPath } from './json-path.ts';
import type { TaskRecorder } from './recorder.ts';
import type { TaskTokens } from './tokens.ts';
import type {
  ExecutionDescription,
  StartExecutionInput,
  StartExecutionOutput,
  StopExecutionInput,
  WaitOverrides,
} from './types.ts';

export type InvokeLambda = (functionArnOrName: string, payload: unknown) => Promise<unknown>;

/** Runs a Task whose Resource is exactly the key it is registered under. */
export type CustomTaskHandler = (
  input: unknown,
  info: { resource: string; stateName: string; executionArn: string },
) => Promise<unknown>;

/** What the handlers need from the service. */
export interface TaskServices {
  region: string;
  invokeLambda: InvokeLambda;
  customHandlers: ReadonlyMap<string, CustomTaskHandler>;
  tokens: TaskTokens;
  startExecution(input: StartExecutionInput): Promise<StartExecutionOutput>;
  waitForExecution(executionArn: string): Promise<ExecutionDescription>;
  stopExecution(input: StopExecutionInput): Promise<unknown>;
  warn(message: string, error?: unknown): void;
  /**
   * While the service shuts down, a task not begun yet is parked (a promise that only
   * rejects when the service closes): it runs at the next start instead.
   */
  parkIfDraining(): Promise<never> | undefined;
}

/** What the handlers need from the execution they run in. */
export interface TaskExecution {
  executionArn: string;
  history: ExecutionHistory;
  isRunning(): boolean;
  waitOverrides: WaitOverrides | undefined;
  /** Children started by `.sync` tasks and still awaited: stopped with the parent. */
  syncChildren: Set<string>;
  /** Its journal; undefined when the service keeps nothing on disk. */
  recorder: TaskRecorder | undefined;
}

export type TaskHandler = (input: unknown) => Promise<unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parameters(info: TaskStateInfo, input: unknown): JsonObject {
  if (!isObject(input)) {
    throw new UncatchableStateError(
      'States.Runtime',
      `Task ${info.name}: ${info.resource} needs Parameters (an object)`,
    );
  }
  return input;
}

function requiredString(info: TaskStateInfo, params: JsonObject, field: string): string {
  const value = params[field];
  if (typeof value !== 'string' || value === '') {
    throw new UncatchableStateError(
      'States.Runtime',
      `Task ${info.name}: Parameters.${field} must be a non-empty string`,
    );
  }
  return value;
}

/** What a JSON round trip through Lambda would leave of a value. */
function asJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value) ?? 'null');
}

/**
 * Gives a resumed task what is left of its timeout. The engine reads the timeout from
 * the effective input right after it called the handler (definition.ts puts it there
 * for callback and `.sync` tasks), in whole seconds of at least one.
 */
function shortenTimeout(effectiveInput: unknown, remainingMs: number): void {
  if (isObject(effectiveInput) && HIDDEN_TIMEOUT_FIELD in effectiveInput) {
    effectiveInput[HIDDEN_TIMEOUT_FIELD] = Math.max(1, Math.ceil(remainingMs / 1000));
  }
}

/** The engine's own timeout error, as far as Retry and Catch can tell. */
function timeoutError(): Error {
  return stateError('States.Timeout', 'States.Timeout');
}

function outcomeOf(error: unknown): TaskOutcome {
  const { name, message } = error instanceof Error ? error : stateError('States.TaskFailed', String(error));
  const uncatchable = (error as { isCatchable?: boolean } | undefined)?.isCatchable === false;
  return { error: name, cause: message, ...(uncatchable && { uncatchable }) };
}

function errorOf(outcome: Extract<TaskOutcome, { error: string }>): Error {
  return outcome.uncatchable
    ? new UncatchableStateError(outcome.error, outcome.cause)
    : stateError(outcome.error, outcome.cause);
}

/** Seconds from a literal or a reference path, as the engine will evaluate them. */
function seconds(literal: number | undefined, path: string | undefined, input: unknown): number | undefined {
  if (literal !== undefined) return literal;
  if (path === undefined) return undefined;
  const found = readPath(input, path);
  return found.found && typeof found.value === 'number' && Number.isInteger(found.value) && found.value >= 1
    ? found.value
    : undefined;
}

/**
 * A Lambda failure as Step Functions reports it: the error type as the error name, and
 * the Lambda error document as the cause. Errors already named as an integration error
 * (`Lambda.*`, `States.*`) keep their text.
 */
export function lambdaError(error: unknown): Error {
  if (!(error instanceof Error)) {
    return stateError(
      'Lambda.Unknown',
      JSON.stringify({ errorType: 'Lambda.Unknown', errorMessage: String(error) }),
    );
  }
  const type = error.name || 'Error';
  if (type.startsWith('Lambda.') || type.startsWith('States.')) return stateError(type, error.message);
  const trace = (error.stack ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.trim());
  return stateError(type, JSON.stringify({ errorType: type, errorMessage: error.message, trace }));
}

/** The `lambda:invoke` result around a function's payload. */
function invokeResponse(payload: unknown, statusCode = 200): JsonObject {
  const requestId = randomUUID();
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload as JsonObject,
    SdkHttpMetadata: {
      AllHttpHeaders: { 'X-Amz-Executed-Version': ['$LATEST'], 'x-amzn-RequestId': [requestId] },
      HttpHeaders: { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': requestId },
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: statusCode,
  };
}

/** The DescribeExecution shape a `.sync` task returns (dates in epoch milliseconds). */
function syncOutput(description: ExecutionDescription, parseJson: boolean): JsonObject {
  const data = (text: string | undefined): JsonObject | string | undefined =>
    text === undefined || !parseJson ? text : (JSON.parse(text) as JsonObject);
  const output: Record<string, unknown> = {
    ExecutionArn: description.executionArn,
    Input: data(description.input),
    InputDetails: { Included: true },
    Name: description.name,
    Output: data(description.output),
    OutputDetails: description.output === undefined ? undefined : { Included: true },
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    StartDate: description.startDate.getTime(),
    StateMachineArn: description.stateMachineArn,
    Status: description.status,
    StopDate: description.stopDate?.getTime(),
    Error: description.error,
    Cause: description.cause,
  };
  return asJson(output) as JsonObject;
}

function integrationError(error: unknown): unknown {
  if (!(error instanceof StepFunctionsError)) return error;
  const suffix = error.name.endsWith('Exception') ? '' : 'Exception';
  return stateError(`StepFunctions.${error.name}${suffix}`, error.message);
}

export function createTaskHandlers(
  services: TaskServices,
  execution: TaskExecution,
  tasks: ReadonlyMap<string, TaskStateInfo>,
): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  for (const info of tasks.values()) {
    handlers[info.name] = (input) => {
      const result = runTask(services, execution, info, input);
      // The engine may stop listening (its timeout, an abort, or an error it raises
      // right after calling us): a later rejection is expected, not unhandled.
      result.catch(() => {});
      return result;
    };
  }
  return handlers;
}

/** The effective input without the private fields that definition.ts added. */
function withoutHiddenFields(input: unknown): unknown {
  if (!isObject(input) || !(HIDDEN_TIMEOUT_FIELD in input || HIDDEN_HEARTBEAT_FIELD in input)) return input;
  const { [HIDDEN_TIMEOUT_FIELD]: _timeout, [HIDDEN_HEARTBEAT_FIELD]: _heartbeat, ...rest } = input;
  return rest;
}

async function runTask(
  services: TaskServices,
  execution: TaskExecution,
  info: TaskStateInfo,
  effectiveInput: unknown,
) {
  // The engine's abort does not stop a state that is retrying: no side effects once the
  // execution has ended.
  if (!execution.isRunning()) {
    throw new UncatchableStateError('States.Runtime', 'The execution is no longer running');
  }
  const input = withoutHiddenFields(effectiveInput);
  // Everything up to the first await runs before the engine reads the task's timeout.
  const recorder = execution.recorder;
  const key = recorder?.keyFor(info.name, services.tokens.mask(execution.executionArn, input));
  const record = key === undefined ? undefined : recorder?.record(key);
  const recorded = record?.outcome;
  const waitingBefore = recorded ? undefined : (record?.callback ?? record?.child);
  const remainingMs = waitingBefore?.dueAt === undefined ? undefined : waitingBefore.dueAt - Date.now();
  if (remainingMs !== undefined && remainingMs > 0) shortenTimeout(effectiveInput, remainingMs);
  const parked = recorded || waitingBefore ? undefined : services.parkIfDraining();
  if (parked) return parked;

  const timeoutSeconds = seconds(info.timeoutSeconds, info.timeoutSecondsPath, effectiveInput);
  const heartbeatSeconds = seconds(info.heartbeatSeconds, info.heartbeatSecondsPath, effectiveInput);
  const trace = execution.history.traceTask(info.name, info.kind, info.resource);
  if (key !== undefined && recorder) {
    trace.onTimedOut = (cause) => recorder.outcome(key, { error: 'States.Timeout', cause, timedOut: true });
  }
  trace.scheduled(input, services.region, timeoutSeconds, heartbeatSeconds);
  trace.started();
  const dueWhileDown = remainingMs !== undefined && remainingMs <= 0;
  // The replay tells the history all the earlier run had told it.
  if (record?.submitted && (recorded || dueWhileDown)) trace.submitted(record.submitted.output);
  try {
    let output: unknown;
    if (recorded) {
      if ('error' in recorded) throw errorOf(recorded);
      output = recorded.output;
    } else if (dueWhileDown) {
      throw timeoutError();
    } else {
      recorder?.live();
      output = await dispatch(services, execution, info, input, {
        timeoutMs: remainingMs ?? (timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000),
        heartbeatMs: heartbeatSeconds === undefined ? undefined : heartbeatSeconds * 1000,
        submitted: (value) => trace.submitted(value),
        key,
        resumed: waitingBefore ? record : undefined,
      });
    }
    trace.succeeded(output);
    if (key !== undefined) recorder?.outcome(key, { output });
    return output;
  } catch (error) {
    const outcome = outcomeOf(error);
    if ('error' in outcome && outcome.error === 'States.Timeout')
      trace.timedOut(outcome.error, outcome.cause);
    else if ('error' in outcome) trace.failed(outcome.error, outcome.cause);
    if (key !== undefined) recorder?.outcome(key, outcome);
    throw error;
  }
}

interface DispatchOptions {
  timeoutMs: number | undefined;
  heartbeatMs: number | undefined;
  submitted(value: unknown): void;
  /** The attempt's key in the journal (undefined without one). */
  key: string | undefined;
  /** What the attempt had done before a restart, when it was waiting then. */
  resumed: TaskRecord | undefined;
}

async function dispatch(
  services: TaskServices,
  execution: TaskExecution,
  info: TaskStateInfo,
  input: unknown,
  options: DispatchOptions,
): Promise<unknown> {
  switch (info.kind) {
    case 'lambda:invoke':
      return invokeLambdaTask(services, info, input);
    case 'lambda:invoke.waitForTaskToken':
      return callbackTask(services, execution, info, input, options);
    case 'lambda:function':
      try {
        return asJson(await services.invokeLambda(info.resource, input));
      } catch (error) {
        throw lambdaError(error);
      }
    case 'states:startExecution':
    case 'states:startExecution.sync':
    case 'states:startExecution.sync:2':
      return startExecutionTask(services, execution, info, input, options);
    case 'custom': {
      const handler = services.customHandlers.get(info.resource);
      if (!handler) break;
      return asJson(
        await handler(input, {
          resource: info.resource,
          stateName: info.name,
          executionArn: execution.executionArn,
        }),
      );
    }
    case 'unsupported':
      break;
  }
  throw new UncatchableStateError(
    'States.Runtime',
    `Task ${info.name}: resource ${info.resource} is not supported by the local Step Functions service`,
  );
}

async function invokeLambdaTask(
  services: TaskServices,
  info: TaskStateInfo,
  input: unknown,
): Promise<unknown> {
  const params = parameters(info, input);
  const functionName = requiredString(info, params, 'FunctionName');
  const payload = params.Payload ?? {};
  if (params.InvocationType === 'DryRun') return invokeResponse(null, 204);
  if (params.InvocationType === 'Event') {
    // Asynchronous invocation: AWS answers 202 at once and the function's failure never
    // reaches the workflow.
    services.invokeLambda(functionName, payload).catch((error: unknown) => {
      services.warn(`Asynchronous invocation of ${functionName} failed`, error);
    });
    return invokeResponse('', 202);
  }
  try {
    return invokeResponse(asJson(await services.invokeLambda(functionName, payload)));
  } catch (error) {
    throw lambdaError(error);
  }
}

async function callbackTask(
  services: TaskServices,
  execution: TaskExecution,
  info: TaskStateInfo,
  input: unknown,
  options: DispatchOptions,
): Promise<unknown> {
  const owner = execution.executionArn;
  const { key, resumed } = options;
  const recorder = key === undefined ? undefined : execution.recorder;
  // A task resumed after a restart hands out the token it had handed out before: the
  // function stored that one.
  const withTokens = resumed?.callback
    ? services.tokens.rebind(owner, input, resumed.callback.tokens)
    : input;
  const params = parameters(info, withTokens);
  const functionName = requiredString(info, params, 'FunctionName');
  const payload = params.Payload ?? {};
  // Claim the token before invoking: the function may send it back before it returns.
  const callback = services.tokens.open(owner, withTokens, {
    timeoutMs: options.timeoutMs,
    heartbeatMs: options.heartbeatMs,
    onAnswer: key === undefined ? undefined : (outcome) => recorder?.outcome(key, outcome),
  });
  if (key !== undefined && !resumed?.callback) {
    const dueAt = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
    recorder?.callback(key, [...callback.tokens], dueAt);
  }
  const submitted = (value: unknown) => {
    if (key !== undefined) recorder?.submitted(key, value);
    options.submitted(value);
  };
  if (resumed?.submitted) {
    // The function had run: only the answer is awaited.
    options.submitted(resumed.submitted.output);
    return callback.promise;
  }
  const invocation = services.invokeLambda(functionName, payload);
  if (params.InvocationType === 'Event') {
    submitted(invokeResponse('', 202));
    invocation.catch((error: unknown) =>
      services.warn(`Asynchronous invocation of ${functionName} failed`, error),
    );
  } else {
    invocation.then(
      (result) => submitted(invokeResponse(asJson(result))),
      (error: unknown) => callback.fail(lambdaError(error)),
    );
  }
  return callback.promise;
}

function childInput(value: unknown): string {
  if (value === undefined) return '{}';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function startExecutionTask(
  services: TaskServices,
  execution: TaskExecution,
  info: TaskStateInfo,
  input: unknown,
  options: DispatchOptions,
): Promise<unknown> {
  const { timeoutMs, key } = options;
  let child = options.resumed?.child?.arn;
  if (child === undefined) {
    const params = parameters(info, input);
    const stateMachineArn = requiredString(info, params, 'StateMachineArn');
    const name = params.Name;
    let started: StartExecutionOutput;
    try {
      started = await services.startExecution({
        stateMachineArn,
        name: typeof name === 'string' ? name : undefined,
        input: childInput(params.Input),
        waitOverrides: execution.waitOverrides,
      });
    } catch (error) {
      throw integrationError(error);
    }
    if (info.kind === 'states:startExecution') {
      return { ExecutionArn: started.executionArn, StartDate: started.startDate.getTime() };
    }
    child = started.executionArn;
    if (key !== undefined) {
      execution.recorder?.child(key, child, timeoutMs === undefined ? undefined : Date.now() + timeoutMs);
    }
  }
  // (A resumed task goes back to the child it had started: never a second one.)
  const awaited = child;
  execution.syncChildren.add(awaited);
  // AWS stops the child when the waiting task times out. Created after the engine's own
  // timer with the same delay, so it fires right after it.
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (execution.syncChildren.delete(awaited))
            services.stopExecution({ executionArn: awaited }).catch(() => {});
        }, timeoutMs);
  try {
    const description = await services.waitForExecution(awaited);
    const output = syncOutput(description, info.kind === 'states:startExecution.sync:2');
    if (description.status !== 'SUCCEEDED') throw stateError('States.TaskFailed', JSON.stringify(output));
    return output;
  } finally {
    execution.syncChildren.delete(awaited);
    if (timer) clearTimeout(timer);
  }
}
