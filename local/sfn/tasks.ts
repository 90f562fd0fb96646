/**
 * Task state handlers: what each supported `Resource` does locally. The engine calls a
 * handler with the state's input after InputPath/Parameters and runs ResultSelector,
 * ResultPath and OutputPath on what it returns, so each handler returns exactly what
 * the AWS integration returns.
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
import { readPath } from './json-path.ts';
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
}

/** What the handlers need from the execution they run in. */
export interface TaskExecution {
  executionArn: string;
  history: ExecutionHistory;
  isRunning(): boolean;
  waitOverrides: WaitOverrides | undefined;
  /** Children started by `.sync` tasks and still awaited: stopped with the parent. */
  syncChildren: Set<string>;
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
  const timeoutSeconds = seconds(info.timeoutSeconds, info.timeoutSecondsPath, effectiveInput);
  const heartbeatSeconds = seconds(info.heartbeatSeconds, info.heartbeatSecondsPath, effectiveInput);
  const input = withoutHiddenFields(effectiveInput);
  const trace = execution.history.traceTask(info.name, info.kind, info.resource);
  trace.scheduled(input, services.region, timeoutSeconds, heartbeatSeconds);
  trace.started();
  try {
    const output = await dispatch(services, execution, info, input, {
      timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
      heartbeatMs: heartbeatSeconds === undefined ? undefined : heartbeatSeconds * 1000,
      submitted: (value) => trace.submitted(value),
    });
    trace.succeeded(output);
    return output;
  } catch (error) {
    const { name, message } = error instanceof Error ? error : stateError('States.TaskFailed', String(error));
    trace.failed(name, message);
    throw error;
  }
}

interface DispatchOptions {
  timeoutMs: number | undefined;
  heartbeatMs: number | undefined;
  submitted(value: unknown): void;
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
      return startExecutionTask(services, execution, info, input, options.timeoutMs);
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
  const params = parameters(info, input);
  const functionName = requiredString(info, params, 'FunctionName');
  const payload = params.Payload ?? {};
  // Claim the token before invoking: the function may send it back before it returns.
  const callback = services.tokens.open(execution.executionArn, input, {
    timeoutMs: options.timeoutMs,
    heartbeatMs: options.heartbeatMs,
  });
  const invocation = services.invokeLambda(functionName, payload);
  if (params.InvocationType === 'Event') {
    options.submitted(invokeResponse('', 202));
    invocation.catch((error: unknown) =>
      services.warn(`Asynchronous invocation of ${functionName} failed`, error),
    );
  } else {
    invocation.then(
      (result) => options.submitted(invokeResponse(asJson(result))),
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
  timeoutMs: number | undefined,
): Promise<unknown> {
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

  const child = started.executionArn;
  execution.syncChildren.add(child);
  // AWS stops the child when the waiting task times out. Created after the engine's own
  // timer with the same delay, so it fires right after it.
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          if (execution.syncChildren.delete(child))
            services.stopExecution({ executionArn: child }).catch(() => {});
        }, timeoutMs);
  try {
    const description = await services.waitForExecution(child);
    const output = syncOutput(description, info.kind === 'states:startExecution.sync:2');
    if (description.status !== 'SUCCEEDED') throw stateError('States.TaskFailed', JSON.stringify(output));
    return output;
  } finally {
    execution.syncChildren.delete(child);
    if (timer) clearTimeout(timer);
  }
}
