/**
 * Builds an AWS-shaped execution history from two sources:
 * - the engine's `eventLogs` (execution, state entered/exited/failed/retried/caught, Map
 *   iterations), consumed asynchronously, so always slightly behind;
 * - task events that our own Task handlers report (scheduled, started, submitted,
 *   succeeded, failed), which happen synchronously inside the engine.
 *
 * A handler cannot know which Map iteration it serves, so its events are buffered in a
 * first-in-first-out queue per state name and attached to the next StateEntered (or
 * StateRetried, since a retry re-runs the task without a new StateEntered) of that
 * state, then written in order. That is exact outside Maps and orderly inside them.
 *
 * After a restart the history is loaded as it was (`restore`) and the execution is
 * replayed: the replay produces the same events again, one for one, and the first that
 * many appended are dropped, so the history goes on where it stopped.
 */
import type { StateMachine } from 'aws-local-stepfunctions';
import type { MapStateInfo, TaskKind } from './definition.ts';
import { readPath, writePath } from './json-path.ts';
import { DEFAULT_PAGE_SIZE, decodeToken, encodeToken } from './pagination.ts';
import type { HistoryEvent } from './types.ts';

export type EngineEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

type Details = Record<string, unknown>;

function toJsonText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : toJsonText(cause);
}

/**
 * The HistoryEvent member holding an event's details: shared by all state types for
 * entered/exited (`stateEnteredEventDetails`), otherwise the type with a lower-case
 * first letter (`TaskScheduled` → `taskScheduledEventDetails`).
 */
function detailsKey(type: string): `${string}EventDetails` {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

/** `arn:aws:states:::lambda:invoke.waitForTaskToken` → `lambda` + `invoke.waitForTaskToken`. */
export function splitResource(resource: string): { resourceType: string; resource: string } {
  const integration = /^arn:aws[a-z-]*:states:::(.+)$/.exec(resource)?.[1];
  if (integration === undefined) return { resourceType: 'lambda', resource };
  const sdk = /^(aws-sdk:[^:]+):(.+)$/.exec(integration);
  if (sdk?.[1] && sdk[2]) return { resourceType: sdk[1], resource: sdk[2] };
  const colon = integration.indexOf(':');
  if (colon < 0) return { resourceType: integration, resource: integration };
  return { resourceType: integration.slice(0, colon), resource: integration.slice(colon + 1) };
}

/** The history-facing side of one Task attempt. */
export class TaskTrace {
  private sink: ExecutionHistory | undefined;
  private readonly buffer: { type: string; details?: Details; at: number }[] = [];
  private finished = false;
  /** Told when the engine timed the attempt out (the journal records it). */
  onTimedOut: ((cause: string) => void) | undefined;

  constructor(
    readonly stateName: string,
    private readonly kind: TaskKind,
    private readonly resourceArn: string,
  ) {}

  get isFinished(): boolean {
    return this.finished;
  }

  private get isLambdaFunction(): boolean {
    return this.kind === 'lambda:function';
  }

  private resourceDetails(): Details {
    return splitResource(this.resourceArn);
  }

  private record(type: string, details?: Details, finishing = false): void {
    if (this.finished) return;
    if (finishing) this.finished = true;
    if (this.sink) this.sink.append(type, details, Date.now());
    else this.buffer.push({ type, details, at: Date.now() });
  }

  bind(sink: ExecutionHistory): void {
    this.sink = sink;
    for (const { type, details, at } of this.buffer.splice(0)) sink.append(type, details, at);
  }

  scheduled(parameters: unknown, region: string, timeoutSeconds?: number, heartbeatSeconds?: number): void {
    if (this.isLambdaFunction) {
      this.record('LambdaFunctionScheduled', {
        resource: this.resourceArn,
        input: toJsonText(parameters),
        inputDetails: { truncated: false },
        timeoutInSeconds: timeoutSeconds,
      });
      return;
    }
    this.record('TaskScheduled', {
      ...this.resourceDetails(),
      region,
      parameters: toJsonText(parameters),
      timeoutInSeconds: timeoutSeconds,
      heartbeatInSeconds: heartbeatSeconds,
    });
  }

  started(): void {
    if (this.isLambdaFunction) this.record('LambdaFunctionStarted');
    else this.record('TaskStarted', this.resourceDetails());
  }

  submitted(output: unknown): void {
    this.record('TaskSubmitted', {
      ...this.resourceDetails(),
      output: toJsonText(output),
      outputDetails: { truncated: false },
    });
  }

  succeeded(output: unknown): void {
    const data = { output: toJsonText(output), outputDetails: { truncated: false } };
    if (this.isLambdaFunction) this.record('LambdaFunctionSucceeded', data, true);
    else this.record('TaskSucceeded', { ...this.resourceDetails(), ...data }, true);
  }

  failed(error: string, cause: string): void {
    if (this.isLambdaFunction) this.record('LambdaFunctionFailed', { error, cause }, true);
    else this.record('TaskFailed', { ...this.resourceDetails(), error, cause }, true);
  }

  timedOut(error: string, cause: string): void {
    if (!this.finished) this.onTimedOut?.(cause);
    if (this.isLambdaFunction) this.record('LambdaFunctionTimedOut', { error, cause }, true);
    else this.record('TaskTimedOut', { ...this.resourceDetails(), error, cause }, true);
  }
}

export interface HistoryPage {
  events: HistoryEvent[];
  nextToken?: string;
}

const EXECUTION_DATA_FIELDS = ['input', 'inputDetails', 'output', 'outputDetails', 'parameters'];

export class ExecutionHistory {
  private readonly events: HistoryEvent[] = [];
  private readonly unboundTasks = new Map<string, TaskTrace[]>();
  private readonly boundTasks = new Map<string, TaskTrace>();
  private readonly lastFailure = new Map<string, { error: string; cause: string }>();
  /** Set by StopExecution before the engine reports the abort. */
  abortDetails: { error?: string; cause?: string } = {};
  /** Events the replay will produce again and that are already here. */
  private replayed = 0;
  /** Told of every new event (the journal). */
  onAppend: ((event: HistoryEvent) => void) | undefined;

  constructor(
    private readonly executionArn: string,
    private readonly roleArn: string,
    private readonly inputText: string,
    private readonly maps: ReadonlyMap<string, MapStateInfo>,
  ) {}

  get length(): number {
    return this.events.length;
  }

  /** The events of an earlier run; as many events appended next are their replay. */
  restore(events: readonly HistoryEvent[]): void {
    this.events.push(...events);
    this.replayed = events.length;
  }

  append(type: string, details: Details | undefined, at: number): void {
    if (this.replayed > 0) {
      this.replayed--;
      return;
    }
    const id = this.events.length + 1;
    const event: HistoryEvent = { timestamp: new Date(at), type, id, previousEventId: id - 1 };
    if (details) {
      event[detailsKey(type)] = Object.fromEntries(
        Object.entries(details).filter(([, v]) => v !== undefined),
      );
    }
    this.events.push(event);
    this.onAppend?.(event);
  }

  /** A Task handler starts an attempt of `stateName`. */
  traceTask(stateName: string, kind: TaskKind, resource: string): TaskTrace {
    const trace = new TaskTrace(stateName, kind, resource);
    const queue = this.unboundTasks.get(stateName);
    if (queue) queue.push(trace);
    else this.unboundTasks.set(stateName, [trace]);
    return trace;
  }

  private bindNextTask(stateName: string, key: string): void {
    const trace = this.unboundTasks.get(stateName)?.shift();
    if (!trace) return;
    trace.bind(this);
    this.boundTasks.set(key, trace);
  }

  consume(event: EngineEvent): void {
    const at = event.timestamp;
    switch (event.type) {
      case 'ExecutionStarted':
        this.append(
          'ExecutionStarted',
          { input: this.inputText, inputDetails: { truncated: false }, roleArn: this.roleArn },
          at,
        );
        return;
      case 'ExecutionSucceeded':
        this.append(
          'ExecutionSucceeded',
          { output: toJsonText(event.output), outputDetails: { truncated: false } },
          at,
        );
        return;
      case 'ExecutionFailed':
        this.append('ExecutionFailed', { error: event.Error, cause: causeText(event.Cause) }, at);
        return;
      case 'ExecutionAborted':
        this.append('ExecutionAborted', { ...this.abortDetails }, at);
        return;
      case 'ExecutionTimeout':
        this.append(
          'ExecutionTimedOut',
          { error: 'States.Timeout', cause: `Execution ${this.executionArn} exceeded its TimeoutSeconds` },
          at,
        );
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.append(event.type, { name: event.parentState.name, index: event.index }, at);
        return;
      case 'ParallelBranchStarted':
      case 'ParallelBranchSucceeded':
      case 'ParallelBranchFailed':
        // AWS has no per-branch events; the branch's own states show up.
        return;
      case 'StateEntered':
      case 'StateExited':
      case 'StateFailed':
      case 'StateRetried':
      case 'StateCaught':
        this.consumeStateEvent(event, at);
        return;
    }
  }

  private consumeStateEvent(
    event: Extract<
      EngineEvent,
      { type: 'StateEntered' | 'StateExited' | 'StateFailed' | 'StateRetried' | 'StateCaught' }
    >,
    at: number,
  ): void {
    const { name, type } = event.state;
    const key = `${name}#${event.index ?? ''}`;
    switch (event.type) {
      case 'StateEntered':
        this.append(
          `${type}StateEntered`,
          { name, input: toJsonText(event.state.input), inputDetails: { truncated: false } },
          at,
        );
        if (type === 'Task') this.bindNextTask(name, key);
        else if (type === 'Map')
          this.append('MapStateStarted', { length: this.mapLength(name, event.state.input) }, at);
        else if (type === 'Parallel') this.append('ParallelStateStarted', undefined, at);
        return;
      case 'StateRetried':
        if (type === 'Task') this.bindNextTask(name, key);
        return;
      case 'StateFailed': {
        const error = event.Error;
        const cause = causeText(event.Cause);
        this.lastFailure.set(key, { error, cause });
        if (type === 'Task') {
          const trace = this.boundTasks.get(key);
          this.boundTasks.delete(key);
          if (trace && !trace.isFinished) {
            if (error === 'States.Timeout') trace.timedOut(error, cause);
            else trace.failed(error, cause);
          }
        } else if (type === 'Map') {
          this.append('MapStateFailed', undefined, at);
        } else if (type === 'Parallel') {
          this.append('ParallelStateFailed', undefined, at);
        }
        return;
      }
      case 'StateCaught': {
        // The engine reports no exit for a caught state; AWS exits it with the error
        // placed by the catcher's ResultPath.
        const failure = this.lastFailure.get(key);
        const errorOutput = { Error: failure?.error ?? 'States.ALL', Cause: failure?.cause ?? '' };
        const output = writePath(event.state.input, event.catch.catcher.ResultPath, errorOutput);
        this.append(
          `${type}StateExited`,
          { name, output: toJsonText(output), outputDetails: { truncated: false } },
          at,
        );
        return;
      }
      case 'StateExited':
        if (type === 'Task') this.boundTasks.delete(key);
        else if (type === 'Map') this.append('MapStateSucceeded', undefined, at);
        else if (type === 'Parallel') this.append('ParallelStateSucceeded', undefined, at);
        this.append(
          `${type}StateExited`,
          { name, output: toJsonText(event.state.output), outputDetails: { truncated: false } },
          at,
        );
        return;
    }
  }

  private mapLength(name: string, rawInput: unknown): number | undefined {
    const map = this.maps.get(name);
    if (!map || map.inputPath === null) return undefined;
    const input =
      map.inputPath === undefined
        ? { found: true as const, value: rawInput }
        : readPath(rawInput, map.inputPath);
    if (!input.found) return undefined;
    const items = map.itemsPath === undefined ? input : readPath(input.value, map.itemsPath);
    return items.found && Array.isArray(items.value) ? items.value.length : undefined;
  }

  page(options: {
    maxResults: number;
    reverseOrder?: boolean;
    nextToken?: string;
    includeExecutionData?: boolean;
  }): HistoryPage {
    const size = options.maxResults || DEFAULT_PAGE_SIZE;
    const scope = `history:${this.executionArn}:${options.reverseOrder ? 'r' : 'f'}`;
    let selected: HistoryEvent[];
    let nextToken: string | undefined;
    if (options.reverseOrder) {
      // Positions are event ids, so newly appended events do not shift later pages.
      const fromId =
        options.nextToken === undefined ? this.events.length : decodeToken(options.nextToken, scope);
      const end = Math.max(0, Math.min(fromId, this.events.length));
      const start = Math.max(0, end - size);
      selected = this.events.slice(start, end).reverse();
      if (start > 0) nextToken = encodeToken(scope, start);
    } else {
      const start = options.nextToken === undefined ? 0 : decodeToken(options.nextToken, scope);
      selected = this.events.slice(start, start + size);
      if (start + size < this.events.length) nextToken = encodeToken(scope, start + size);
    }
    const events =
      options.includeExecutionData === false ? selected.map(withoutExecutionData) : selected.map(copyEvent);
    return { events, nextToken };
  }
}

function copyEvent(event: HistoryEvent): HistoryEvent {
  return structuredClone(event);
}

function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const copy = copyEvent(event);
  for (const key of Object.keys(copy)) {
    if (!key.endsWith('EventDetails')) continue;
    const details = copy[key as `${string}EventDetails`];
    if (details) for (const field of EXECUTION_DATA_FIELDS) delete details[field];
  }
  return copy;
}
