/**
 * Turning an ASL definition into something the engine runs the way AWS would.
 *
 * The engine (aws-local-stepfunctions) validates with asl-validator, but differs from
 * AWS in a few places that matter for real CDK definitions; we adjust a private copy of
 * the definition rather than patching the engine:
 * - Task states without TimeoutSeconds time out after 60 s in the engine. AWS waits for
 *   callback (`.waitForTaskToken`) and `.sync` tasks up to the one-year execution limit,
 *   and a Lambda task until the function's own timeout (≤ 900 s).
 * - TimeoutSecondsPath/HeartbeatSecondsPath are evaluated against the effective input
 *   (after Parameters) instead of the state input. A callback or `.sync` task's timeout
 *   always travels that way (a literal one too), so that a task resumed after a restart
 *   can be given what is left of it (tasks.ts).
 * - A Pass state whose `Result` is falsy (`false`, `0`, `""`, `null`) returns its input.
 * - Distributed Map (`ProcessorConfig.Mode: DISTRIBUTED`) runs inline; without
 *   MaxConcurrency it would be capped at the engine's inline default of 40, while AWS
 *   runs up to 10,000 child executions at once.
 * Features the engine would silently mis-run (JSONata, variables, Distributed Map
 * readers/writers/batching) are rejected with InvalidDefinition instead.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { StepFunctionsError } from './errors.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type TaskKind =
  | 'lambda:invoke'
  | 'lambda:invoke.waitForTaskToken'
  | 'lambda:function'
  | 'states:startExecution'
  | 'states:startExecution.sync'
  | 'states:startExecution.sync:2'
  | 'custom'
  | 'unsupported';

export interface TaskStateInfo {
  name: string;
  resource: string;
  kind: TaskKind;
  /** As the engine will apply it, after our defaults. */
  timeoutSeconds?: number;
  timeoutSecondsPath?: string;
  heartbeatSeconds?: number;
  heartbeatSecondsPath?: string;
}

export interface MapStateInfo {
  name: string;
  inputPath?: string | null;
  itemsPath?: string;
}

/** A Wait state; `seconds` when it waits a literal number of seconds. */
export interface WaitStateInfo {
  name: string;
  seconds?: number;
}

export interface PreparedDefinition {
  /** The definition as the caller gave it (DescribeStateMachine returns it verbatim). */
  readonly definition: string;
  readonly runnable: StateMachine;
  readonly tasks: ReadonlyMap<string, TaskStateInfo>;
  readonly maps: ReadonlyMap<string, MapStateInfo>;
  readonly waits: ReadonlyMap<string, WaitStateInfo>;
}

export const MAX_DEFINITION_BYTES = 1_048_576;
/** AWS's longest execution (one year); also the callback task default. */
export const ONE_YEAR_SECONDS = 31_536_000;
const LAMBDA_MAX_SECONDS = 900;
/** Private fields of a Task's effective input; see adjustState. */
export const HIDDEN_TIMEOUT_FIELD = '__localSfnTimeoutSeconds';
export const HIDDEN_HEARTBEAT_FIELD = '__localSfnHeartbeatSeconds';
const DISTRIBUTED_MAP_MAX_CONCURRENCY = 10_000;

const LAMBDA_FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::[A-Za-z0-9_$-]+)?$/;
const OPTIMIZED_KINDS: Record<string, TaskKind> = {
  'lambda:invoke': 'lambda:invoke',
  'lambda:invoke.waitForTaskToken': 'lambda:invoke.waitForTaskToken',
  'states:startExecution': 'states:startExecution',
  'states:startExecution.sync': 'states:startExecution.sync',
  'states:startExecution.sync:2': 'states:startExecution.sync:2',
};

export function classifyResource(resource: string, customResources: ReadonlySet<string>): TaskKind {
  if (customResources.has(resource)) return 'custom';
  const optimized = /^arn:aws[a-z-]*:states:::(.+)$/.exec(resource)?.[1];
  if (optimized !== undefined) return OPTIMIZED_KINDS[optimized] ?? 'unsupported';
  if (LAMBDA_FUNCTION_ARN.test(resource)) return 'lambda:function';
  return 'unsupported';
}

/** Callback and `.sync` tasks wait for something outside the task itself. */
export function waitsForCompletion(kind: TaskKind): boolean {
  return (
    kind === 'lambda:invoke.waitForTaskToken' ||
    kind === 'states:startExecution.sync' ||
    kind === 'states:startExecution.sync:2'
  );
}

function invalid(detail: string): StepFunctionsError {
  return new StepFunctionsError('InvalidDefinition', `Invalid State Machine Definition: '${detail}'`);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface VisitedState {
  name: string;
  state: JsonObject;
  /** JSON-pointer-like location, for error messages. */
  at: string;
}

/** Every state of the machine, including those inside Map processors and Parallel branches. */
function* walkStates(machine: JsonObject, at = ''): Generator<VisitedState> {
  const states = machine.States;
  if (!isObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isObject(state)) continue;
    const here = `${at}/States/${name}`;
    yield { name, state, at: here };
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (isObject(processor))
        yield* walkStates(processor, `${here}/${state.ItemProcessor ? 'ItemProcessor' : 'Iterator'}`);
    } else if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      for (const [i, branch] of state.Branches.entries()) {
        if (isObject(branch)) yield* walkStates(branch, `${here}/Branches/${i}`);
      }
    }
  }
}

function parseDefinition(definition: unknown): { text: string; parsed: JsonObject } {
  let text: string;
  let parsed: unknown;
  if (typeof definition === 'string') {
    text = definition;
    if (Buffer.byteLength(text) > MAX_DEFINITION_BYTES) throw invalid('Definition exceeds 1048576 bytes');
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw invalid(`INVALID_JSON_DESCRIPTION: ${(error as Error).message}`);
    }
  } else {
    parsed = definition;
    text = JSON.stringify(definition);
    if (text === undefined || Buffer.byteLength(text) > MAX_DEFINITION_BYTES)
      throw invalid('Definition is not serializable or too large');
  }
  if (!isObject(parsed)) throw invalid('SCHEMA_VALIDATION_FAILED: The definition must be a JSON object');
  return { text, parsed };
}

function rejectUnsupported(machine: JsonObject, visited: VisitedState[]): void {
  const local = 'is not supported by the local Step Functions service';
  if (machine.QueryLanguage === 'JSONata') throw invalid(`QueryLanguage JSONata ${local}`);
  for (const { state, at } of visited) {
    if (state.QueryLanguage === 'JSONata') throw invalid(`QueryLanguage JSONata ${local} at ${at}`);
    if ('Assign' in state) throw invalid(`Assign (workflow variables) ${local} at ${at}`);
    if (state.Type !== 'Map') continue;
    for (const field of ['ItemReader', 'ItemBatcher', 'ResultWriter']) {
      if (field in state) throw invalid(`${field} ${local} at ${at}`);
    }
    for (const field of [
      'ToleratedFailurePercentage',
      'ToleratedFailurePercentagePath',
      'ToleratedFailureCount',
      'ToleratedFailureCountPath',
    ]) {
      if (field in state && state[field] !== 0) throw invalid(`${field} ${local} at ${at}`);
    }
  }
}

function validateWithEngine(machine: JsonObject): void {
  try {
    new StateMachine(machine as unknown as StateMachineDefinition);
  } catch (error) {
    const detail = (error as Error).message.replace(
      /^State machine definition is invalid, see error\(s\) below:\s*/,
      '',
    );
    throw invalid(`SCHEMA_VALIDATION_FAILED: ${detail.trim()}`);
  }
}

function isDistributedMap(state: JsonObject): boolean {
  const processor = state.ItemProcessor;
  return (
    isObject(processor) &&
    isObject(processor.ProcessorConfig) &&
    processor.ProcessorConfig.Mode === 'DISTRIBUTED'
  );
}

function optionalNumber(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function optionalString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Mutates `state` (a state of the private copy) and describes it if it is a Task. */
function adjustState(
  name: string,
  state: JsonObject,
  customResources: ReadonlySet<string>,
): TaskStateInfo | undefined {
  if (state.Type === 'Pass' && 'Result' in state && !state.Result) {
    // The engine treats a falsy Result as absent. A constant `Parameters` yields the same
    // value (the payload template returns non-objects unchanged) and then flows through
    // ResultPath/OutputPath exactly like Result would.
    state.Parameters = state.Result ?? null;
    delete state.Result;
  }
  if (state.Type === 'Map' && isDistributedMap(state) && !state.MaxConcurrency && !state.MaxConcurrencyPath) {
    state.MaxConcurrency = DISTRIBUTED_MAP_MAX_CONCURRENCY;
  }
  if (state.Type !== 'Task' || typeof state.Resource !== 'string') return undefined;

  const kind = classifyResource(state.Resource, customResources);
  // AWS reads TimeoutSecondsPath/HeartbeatSecondsPath from the state input; the engine
  // reads them from the effective input (after Parameters), where the value usually is
  // not. Carry the value into the effective input under a private field (the Task
  // handler removes it again) and point the path there.
  if (isObject(state.Parameters)) {
    for (const [pathField, hidden] of [
      ['TimeoutSecondsPath', HIDDEN_TIMEOUT_FIELD],
      ['HeartbeatSecondsPath', HIDDEN_HEARTBEAT_FIELD],
    ] as const) {
      const path = state[pathField];
      if (typeof path !== 'string') continue;
      state.Parameters = { ...state.Parameters, [`${hidden}.$`]: path };
      state[pathField] = `$.${hidden}`;
    }
  }
  if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
    if (waitsForCompletion(kind)) state.TimeoutSeconds = ONE_YEAR_SECONDS;
    else if (kind === 'lambda:invoke' || kind === 'lambda:function')
      state.TimeoutSeconds = LAMBDA_MAX_SECONDS;
  }
  if (waitsForCompletion(kind) && isObject(state.Parameters) && typeof state.TimeoutSeconds === 'number') {
    state.Parameters = { ...state.Parameters, [HIDDEN_TIMEOUT_FIELD]: state.TimeoutSeconds };
    state.TimeoutSecondsPath = `$.${HIDDEN_TIMEOUT_FIELD}`;
    delete state.TimeoutSeconds;
  }
  return {
    name,
    resource: state.Resource,
    kind,
    timeoutSeconds: optionalNumber(state.TimeoutSeconds),
    timeoutSecondsPath: optionalString(state.TimeoutSecondsPath),
    heartbeatSeconds: optionalNumber(state.HeartbeatSeconds),
    heartbeatSecondsPath: optionalString(state.HeartbeatSecondsPath),
  };
}

/**
 * Validates a definition the way CreateStateMachine does and prepares the engine's
 * StateMachine for it. Throws InvalidDefinition. Costly (the engine's validation takes
 * a few hundred ms): call once per definition.
 */
export function prepareDefinition(
  definition: unknown,
  customResources: ReadonlySet<string> = new Set(),
): PreparedDefinition {
  const { text, parsed } = parseDefinition(definition);
  const visited = [...walkStates(parsed)];

  // The engine routes Task states to local handlers by state name, so names must be
  // unique machine-wide (AWS requires the same).
  const seen = new Map<string, string>();
  for (const { name, at } of visited) {
    const first = seen.get(name);
    if (first !== undefined)
      throw invalid(`DUPLICATE_STATE_NAME: Duplicate State name: ${name} at ${first} and ${at}`);
    seen.set(name, at);
  }
  rejectUnsupported(parsed, visited);
  validateWithEngine(parsed);

  const runnable = structuredClone(parsed);
  const tasks = new Map<string, TaskStateInfo>();
  const maps = new Map<string, MapStateInfo>();
  const waits = new Map<string, WaitStateInfo>();
  for (const { name, state } of walkStates(runnable)) {
    if (state.Type === 'Wait') waits.set(name, { name, seconds: optionalNumber(state.Seconds) });
    const task = adjustState(name, state, customResources);
    if (task) tasks.set(name, task);
    if (state.Type === 'Map') {
      maps.set(name, {
        name,
        inputPath: state.InputPath === null ? null : optionalString(state.InputPath),
        itemsPath: optionalString(state.ItemsPath),
      });
    }
  }
  return {
    definition: text,
    runnable: new StateMachine(runnable as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    }),
    tasks,
    maps,
    waits,
  };
}
