/**
 * An embedded Step Functions service: state machines and executions run by
 * aws-local-stepfunctions, with the API semantics of AWS Step Functions (names, ARNs,
 * idempotent StartExecution, task tokens, history, error names). The HTTP protocol
 * lives in server.ts/protocol.ts; this class is usable on its own.
 *
 * Executions live in memory, and with `journalFile` also on disk (journal.ts): after a
 * restart, `restore()` brings back every execution with its history, and replays each
 * unfinished one from its input, answering the tasks it had done from the journal
 * (recorder.ts): waiting tasks wait again for the same task tokens and child
 * executions, and timers keep their original due times.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { RunOptions } from 'aws-local-stepfunctions';
import {
  executionArn,
  parseExecutionArn,
  parseStateMachineArn,
  stateMachineArn,
  validateName,
} from './arns.ts';
import { type PreparedDefinition, prepareDefinition } from './definition.ts';
import { StepFunctionsError, UncatchableStateError } from './errors.ts';
import { type EngineEvent, ExecutionHistory } from './history.ts';
import { type ExecutionLog, emptyLog, Journal, type StartFact, storedEvent } from './journal.ts';
import { installLongTimers } from './long-timers.ts';
import { decodeToken, encodeToken, pageSize } from './pagination.ts';
import { TaskRecorder } from './recorder.ts';
import {
  type CustomTaskHandler,
  createTaskHandlers,
  type InvokeLambda,
  type TaskExecution,
} from './tasks.ts';
import { TaskTokens } from './tokens.ts';
import type {
  CreateStateMachineInput,
  CreateStateMachineOutput,
  ExecutionDescription,
  ExecutionListItem,
  ExecutionStatus,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  ListExecutionsInput,
  ListExecutionsOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
  SendTaskFailureInput,
  SendTaskHeartbeatInput,
  SendTaskSuccessInput,
  StartExecutionInput,
  StartExecutionOutput,
  StateMachineDescription,
  StateMachineType,
  StopExecutionInput,
  StopExecutionOutput,
  WaitOverrides,
} from './types.ts';

export type { CustomTaskHandler, InvokeLambda } from './tasks.ts';
export * from './types.ts';

export interface LocalStepFunctionsOptions {
  /**
   * Runs a Lambda function by ARN (or name) with a JSON payload; resolves with its JSON
   * result. Rejects with an Error whose `name` is the error type (e.g. 'SeatLimitError'):
   * Step Functions Retry/Catch match on it.
   */
  invokeLambda: InvokeLambda;
  /** Default 'eu-north-1'. */
  region?: string;
  /** Default '000000000000'. */
  accountId?: string;
  /**
   * Called with the execution's description when it starts and when it ends (a hook for
   * persistence). Exceptions are logged and ignored.
   */
  onExecutionChange?: (description: ExecutionDescription) => void;
  /** Local handlers for other Task resources, keyed by their exact Resource ARN. */
  taskResources?: Record<string, CustomTaskHandler>;
  /**
   * A file that keeps executions across restarts (created if missing). With it, call
   * `restore()` after creating the state machines and before starting executions.
   */
  journalFile?: string;
}

export interface RestoreSummary {
  /** Executions brought back, finished or not. */
  executions: number;
  /** Unfinished ones, replayed and running again. */
  running: number;
  /** Until every replay had reached where its execution was (or ended). */
  replayMs: number;
}

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type Overrides = NonNullable<RunOptions['overrides']>;
type EngineInput = Parameters<PreparedDefinition['runnable']['run']>[0];

const MAX_PAYLOAD_BYTES = 262_144;
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;
const EXECUTION_STATUSES: readonly string[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

interface StateMachineRecord {
  readonly seq: number;
  readonly arn: string;
  readonly name: string;
  readonly type: StateMachineType;
  readonly roleArn: string;
  readonly creationDate: Date;
  readonly prepared: PreparedDefinition;
  readonly executions: ExecutionRecord[];
}

class ExecutionRecord implements TaskExecution {
  status: ExecutionStatus = 'RUNNING';
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  stopDate: Date | undefined;
  abortRun: (() => void) | undefined;
  recorder: TaskRecorder | undefined;
  readonly syncChildren = new Set<string>();
  readonly history: ExecutionHistory;
  readonly done: Promise<void>;
  readonly markDone: () => void;

  constructor(
    readonly seq: number,
    readonly executionArn: string,
    readonly name: string,
    readonly stateMachine: StateMachineRecord,
    readonly input: string,
    readonly startDate: Date,
    readonly waitOverrides: WaitOverrides | undefined,
  ) {
    this.history = new ExecutionHistory(
      executionArn,
      stateMachine.roleArn,
      input,
      stateMachine.prepared.maps,
    );
    let markDone!: () => void;
    this.done = new Promise<void>((resolve) => {
      markDone = resolve;
    });
    this.markDone = markDone;
  }

  isRunning(): boolean {
    return this.status === 'RUNNING';
  }

  describe(): ExecutionDescription {
    return {
      executionArn: this.executionArn,
      stateMachineArn: this.stateMachine.arn,
      name: this.name,
      status: this.status,
      startDate: this.startDate,
      ...(this.stopDate && { stopDate: this.stopDate }),
      input: this.input,
      inputDetails: { included: true },
      ...(this.output !== undefined && { output: this.output, outputDetails: { included: true } }),
      ...(this.error !== undefined && { error: this.error }),
      ...(this.cause !== undefined && { cause: this.cause }),
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }
}

type Outcome =
  | { status: 'SUCCEEDED'; output: string }
  | { status: 'FAILED' | 'TIMED_OUT' | 'ABORTED'; error?: string; cause?: string };

const definitionHashes = new WeakMap<StateMachineRecord, string>();

function definitionHash(sm: StateMachineRecord): string {
  let hash = definitionHashes.get(sm);
  if (hash === undefined) {
    hash = createHash('sha256').update(sm.prepared.definition).digest('base64url').slice(0, 16);
    definitionHashes.set(sm, hash);
  }
  return hash;
}

function validationError(message: string): StepFunctionsError {
  return new StepFunctionsError('ValidationException', message);
}

function checkLength(field: string, value: string | undefined, max: number): void {
  if (value !== undefined && value.length > max) {
    throw validationError(
      `Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
}

function checkToken(token: unknown): string {
  if (typeof token !== 'string' || token.length < 1 || token.length > 2048) {
    throw validationError(
      "Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and 2048",
    );
  }
  return token;
}

function checkWaitOverrides(overrides: unknown): WaitOverrides | undefined {
  if (overrides === undefined) return undefined;
  const valid =
    typeof overrides === 'object' &&
    overrides !== null &&
    !Array.isArray(overrides) &&
    Object.values(overrides).every((ms) => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0);
  if (!valid) throw validationError('waitOverrides must map Wait state names to non-negative milliseconds');
  return { ...(overrides as WaitOverrides) };
}

/** What ended an engine run, in DescribeExecution terms. */
function outcomeOfError(error: unknown): Outcome {
  if (error instanceof Error && error.name === 'ExecutionTimeoutError') {
    return {
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: 'The execution exceeded its TimeoutSeconds',
    };
  }
  // ExecutionError wraps the state's error, whose name/message are Error/Cause.
  const inner =
    error instanceof Error && error.name === 'ExecutionError' && error.cause instanceof Error
      ? error.cause
      : error;
  if (inner instanceof Error) {
    const cause = typeof inner.cause === 'string' ? inner.cause : inner.message;
    return { status: 'FAILED', error: inner.name, cause };
  }
  return { status: 'FAILED', error: 'States.Runtime', cause: String(inner) };
}

export class LocalStepFunctions {
  readonly region: string;
  readonly accountId: string;
  private readonly invokeLambda: InvokeLambda;
  private readonly onExecutionChange: ((description: ExecutionDescription) => void) | undefined;
  private readonly customHandlers: ReadonlyMap<string, CustomTaskHandler>;
  private readonly stateMachines = new Map<string, StateMachineRecord>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly tokens = new TaskTokens();
  private readonly journal: Journal | undefined;
  private restored = false;
  private draining = false;
  /** Tasks held back while draining; rejected on close so the engine clears their timers. */
  private readonly parked = new Set<(error: Error) => void>();
  /** Function invocations of tasks still running (awaited by drain()). */
  private readonly inFlight = new Set<Promise<void>>();
  private seq = 0;
  private closed = false;

  constructor(options: LocalStepFunctionsOptions) {
    installLongTimers();
    this.invokeLambda = (arn, payload) => {
      const invocation = options.invokeLambda(arn, payload);
      const settled: Promise<void> = invocation.then(
        () => {
          this.inFlight.delete(settled);
        },
        () => {
          this.inFlight.delete(settled);
        },
      );
      this.inFlight.add(settled);
      return invocation;
    };
    this.journal = options.journalFile === undefined ? undefined : new Journal(options.journalFile);
    this.region = options.region ?? 'eu-north-1';
    this.accountId = options.accountId ?? '000000000000';
    this.onExecutionChange = options.onExecutionChange;
    this.customHandlers = new Map(Object.entries(options.taskResources ?? {}));
  }

  async createStateMachine(input: CreateStateMachineInput): Promise<CreateStateMachineOutput> {
    const name = validateName(input.name, 'state machine');
    const type = input.type ?? 'STANDARD';
    if (type !== 'STANDARD' && type !== 'EXPRESS') {
      throw validationError(`Invalid state machine type: ${String(type)}`);
    }
    if (
      input.roleArn !== undefined &&
      (typeof input.roleArn !== 'string' || !input.roleArn.startsWith('arn:'))
    ) {
      throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${String(input.roleArn)}'`);
    }
    const arn = stateMachineArn(this, name);
    const existing = this.stateMachines.get(arn);
    if (existing) {
      const text = typeof input.definition === 'string' ? input.definition : JSON.stringify(input.definition);
      // AWS: same name, definition and type is an idempotent repeat; the role may differ.
      if (text === existing.prepared.definition && type === existing.type) {
        return { stateMachineArn: arn, creationDate: existing.creationDate };
      }
      throw new StepFunctionsError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const prepared = prepareDefinition(input.definition, new Set(this.customHandlers.keys()));
    const record: StateMachineRecord = {
      seq: ++this.seq,
      arn,
      name,
      type,
      roleArn: input.roleArn ?? `arn:aws:iam::${this.accountId}:role/service-role/StepFunctions-${name}-role`,
      creationDate: new Date(),
      prepared,
      executions: [],
    };
    this.stateMachines.set(arn, record);
    return { stateMachineArn: arn, creationDate: record.creationDate };
  }

  async describeStateMachine(input: { stateMachineArn: string }): Promise<StateMachineDescription> {
    const sm = this.stateMachine(input.stateMachineArn);
    return {
      stateMachineArn: sm.arn,
      name: sm.name,
      status: 'ACTIVE',
      definition: sm.prepared.definition,
      roleArn: sm.roleArn,
      type: sm.type,
      creationDate: sm.creationDate,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  async describeStateMachineForExecution(input: { executionArn: string }): Promise<StateMachineDescription> {
    const execution = this.execution(input.executionArn);
    return this.describeStateMachine({ stateMachineArn: execution.stateMachine.arn });
  }

  async listStateMachines(input: ListStateMachinesInput = {}): Promise<ListStateMachinesOutput> {
    const size = pageSize(input.maxResults);
    const after = input.nextToken === undefined ? 0 : decodeToken(input.nextToken, 'state-machines');
    const all = [...this.stateMachines.values()].filter((sm) => sm.seq > after);
    const page = all.slice(0, size);
    const last = page.at(-1);
    return {
      stateMachines: page.map((sm) => ({
        stateMachineArn: sm.arn,
        name: sm.name,
        type: sm.type,
        creationDate: sm.creationDate,
      })),
      ...(all.length > size && last && { nextToken: encodeToken('state-machines', last.seq) }),
    };
  }

  async startExecution(input: StartExecutionInput): Promise<StartExecutionOutput> {
    this.assertOpen();
    const sm = this.stateMachine(input.stateMachineArn);
    const name = input.name === undefined ? randomUUID() : validateName(input.name, 'execution');
    const inputText = input.input ?? '{}';
    if (typeof inputText !== 'string' || Buffer.byteLength(inputText) > MAX_PAYLOAD_BYTES) {
      throw new StepFunctionsError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: input must be a JSON string of at most 262144 bytes',
      );
    }
    let parsedInput: EngineInput;
    try {
      parsedInput = JSON.parse(inputText) as EngineInput;
    } catch (error) {
      throw new StepFunctionsError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${(error as Error).message}'`,
      );
    }
    const waitOverrides = checkWaitOverrides(input.waitOverrides);

    const arn = executionArn(this, sm.name, name);
    const existing = this.executions.get(arn);
    if (existing) {
      // AWS: the same name and input while the execution runs is an idempotent repeat.
      if (existing.isRunning() && existing.input === inputText) {
        return { executionArn: arn, startDate: existing.startDate };
      }
      throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }

    const execution = new ExecutionRecord(++this.seq, arn, name, sm, inputText, new Date(), waitOverrides);
    this.executions.set(arn, execution);
    sm.executions.push(execution);
    if (this.journal) {
      const start: StartFact = {
        t: 'start',
        arn,
        stateMachineArn: sm.arn,
        name,
        input: inputText,
        startDate: execution.startDate.getTime(),
        definitionHash: definitionHash(sm),
        ...(waitOverrides && { waitOverrides }),
      };
      this.journal.write(start);
      this.attachJournal(execution, emptyLog(start));
    }
    this.notify(execution);
    this.run(execution, parsedInput);
    return { executionArn: arn, startDate: execution.startDate };
  }

  private attachJournal(execution: ExecutionRecord, log: ExecutionLog): void {
    const journal = this.journal;
    if (!journal) return;
    execution.recorder = new TaskRecorder(execution.executionArn, journal, log);
    execution.history.onAppend = (event) =>
      journal.write({ t: 'event', arn: execution.executionArn, event: storedEvent(event) });
  }

  /**
   * Brings back the executions the journal kept, and replays the unfinished ones.
   * Resolves when each replay has reached where its execution was (bounded by
   * `timeoutMs`): from then on their task tokens and children are as before.
   */
  async restore(options: { timeoutMs?: number } = {}): Promise<RestoreSummary> {
    if (this.restored) throw validationError('The local Step Functions service is already restored');
    this.restored = true;
    const started = performance.now();
    if (!this.journal) return { executions: 0, running: 0, replayMs: 0 };
    const logs = this.journal.load();
    const resumed: Array<{ execution: ExecutionRecord; log: ExecutionLog }> = [];
    let count = 0;
    for (const log of logs) {
      const { start, end } = log;
      const sm = this.stateMachines.get(start.stateMachineArn);
      if (!sm || this.executions.has(start.arn)) {
        console.warn(`[local-sfn] ${start.arn}: its state machine is gone; not restored`);
        continue;
      }
      if (!end && start.definitionHash !== undefined && start.definitionHash !== definitionHash(sm)) {
        console.warn(
          `[local-sfn] ${start.arn} started on another definition of ${sm.name}: replaying it on this one`,
        );
      }
      const execution = new ExecutionRecord(
        ++this.seq,
        start.arn,
        start.name,
        sm,
        start.input,
        new Date(start.startDate),
        start.waitOverrides,
      );
      execution.history.restore(log.events);
      this.executions.set(start.arn, execution);
      sm.executions.push(execution);
      count++;
      if (end) {
        execution.status = end.status;
        execution.stopDate = new Date(end.stopDate);
        execution.output = end.output;
        execution.error = end.error;
        execution.cause = end.cause;
        execution.markDone();
        continue;
      }
      this.attachJournal(execution, log);
      resumed.push({ execution, log });
    }
    // Tokens first: an answer may come for any of them while the replays run.
    for (const { execution, log } of resumed) {
      for (const [key, record] of log.tasks) {
        if (!record.callback || record.outcome) continue;
        for (const token of record.callback.tokens) {
          this.tokens.restore(execution.executionArn, token, record.callback.dueAt, (outcome) =>
            execution.recorder?.outcome(key, outcome),
          );
        }
      }
    }
    for (const { execution } of resumed) this.run(execution, JSON.parse(execution.input) as EngineInput);
    const caughtUp = Promise.all(
      resumed.map(({ execution }) => Promise.race([execution.recorder?.replayed, execution.done])),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.timeoutMs ?? 10_000);
    });
    await Promise.race([caughtUp, timeout]);
    clearTimeout(timer);
    // Map iterations of the same execution catch up right after the first.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    return { executions: count, running: resumed.length, replayMs: Math.round(performance.now() - started) };
  }

  private park(): Promise<never> {
    const held = new Promise<never>((_resolve, reject) => {
      this.parked.add(reject);
    });
    held.catch(() => {});
    return held;
  }

  /**
   * Lets the task functions that are running finish (at most `timeoutMs`) and starts no
   * new one: a clean stop before close(). With a journal, what they did is recorded and
   * the next start goes on from there.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    this.draining = true;
    const end = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < end) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(this.inFlight),
        new Promise((resolve) => {
          timer = setTimeout(resolve, end - Date.now());
        }),
      ]);
      clearTimeout(timer);
    }
    // Their outcomes reach the journal a few microtasks later.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }

  private run(execution: ExecutionRecord, input: EngineInput): void {
    const sm = execution.stateMachine;
    const handlers = createTaskHandlers(
      {
        region: this.region,
        invokeLambda: this.invokeLambda,
        customHandlers: this.customHandlers,
        tokens: this.tokens,
        startExecution: (child) => this.startExecution(child),
        waitForExecution: (child) => this.waitForExecution(child),
        stopExecution: (child) => this.stopExecution(child),
        warn: (message, error) => console.warn(`[local-sfn] ${message}`, error),
        parkIfDraining: () => (this.draining ? this.park() : undefined),
      },
      execution,
      sm.prepared.tasks,
    );
    const tokens = this.tokens;
    const context: RunOptions['context'] = {
      Execution: {
        Id: execution.executionArn,
        Name: execution.name,
        RoleArn: sm.roleArn,
        StartTime: execution.startDate.toISOString(),
        RedriveCount: 0,
      },
      StateMachine: { Id: sm.arn, Name: sm.name },
      // The engine copies the context once per execution, but keeps this nested object
      // by reference: every read of $$.Task.Token mints a new token.
      Task: {
        get Token() {
          return tokens.mint(execution.executionArn);
        },
      },
    };
    const engineRun = sm.prepared.runnable.run(input, {
      noThrowOnAbort: true,
      context,
      overrides: {
        taskResourceLocalHandlers: handlers as unknown as LocalHandlers,
        ...this.timerOverrides(execution),
      },
    });
    execution.abortRun = engineRun.abort;
    void this.recordHistory(execution, engineRun.eventLogs);
    engineRun.result.then(
      (output) => this.finish(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) ?? 'null' }),
      (error: unknown) => this.finish(execution, outcomeOfError(error)),
    );
  }

  /**
   * Wait durations and retry intervals. With a journal, the engine asks for each Wait
   * as it enters it: we answer with the duration and record its due time, and a replay
   * gets what is left of it; a retry interval already waited out before a restart is
   * not waited again.
   */
  private timerOverrides(
    execution: ExecutionRecord,
  ): Pick<Overrides, 'waitTimeOverrides' | 'retryIntervalOverrides'> {
    const overrides = execution.waitOverrides;
    const recorder = execution.recorder;
    if (!recorder) return overrides ? { waitTimeOverrides: overrides } : {};
    const waits = execution.stateMachine.prepared.waits;
    const waitTimeOverrides = new Proxy({} as Record<string, number>, {
      get: (_target, state) => {
        if (typeof state !== 'string') return undefined;
        const info = waits.get(state);
        const ms = overrides?.[state] ?? (info?.seconds === undefined ? undefined : info.seconds * 1000);
        return info ? recorder.waitMs(state, ms) : ms;
      },
    });
    const retryIntervalOverrides = new Proxy({} as Record<string, number>, {
      get: (_target, state) =>
        typeof state === 'string' && recorder.nextAttemptRecorded(state) ? 0 : undefined,
    });
    return { waitTimeOverrides, retryIntervalOverrides };
  }

  private async recordHistory(
    execution: ExecutionRecord,
    events: AsyncGenerator<EngineEvent>,
  ): Promise<void> {
    try {
      for await (const event of events) execution.history.consume(event);
    } catch (error) {
      console.warn(`[local-sfn] History of ${execution.executionArn} is incomplete`, error);
    }
  }

  /** Ends an execution that is still running (the first outcome wins). */
  private finish(execution: ExecutionRecord, outcome: Outcome): void {
    if (!execution.isRunning() || this.closed) return;
    execution.status = outcome.status;
    execution.stopDate = new Date();
    if (outcome.status === 'SUCCEEDED') {
      execution.output = outcome.output;
    } else {
      execution.error = outcome.error;
      execution.cause = outcome.cause;
    }
    this.journal?.write({
      t: 'end',
      arn: execution.executionArn,
      status: execution.status,
      stopDate: execution.stopDate.getTime(),
      output: execution.output,
      error: execution.error,
      cause: execution.cause,
    });
    this.release(execution);
    this.notify(execution);
    // The engine's event log trails the result by a few microtasks: let it catch up so
    // that whoever awaited the end sees the complete history.
    setImmediate(execution.markDone);
  }

  /** Frees what a finished execution holds: task tokens, awaited `.sync` children. */
  private release(execution: ExecutionRecord): void {
    // Uncatchable, so that a Retry/Catch in an engine branch still unwinding cannot act on it.
    this.tokens.closeOwner(
      execution.executionArn,
      new UncatchableStateError('States.Runtime', 'The execution is no longer running'),
    );
    for (const child of execution.syncChildren) {
      this.stopExecution({ executionArn: child }).catch(() => {});
    }
    execution.syncChildren.clear();
  }

  private notify(execution: ExecutionRecord): void {
    if (!this.onExecutionChange) return;
    try {
      this.onExecutionChange(execution.describe());
    } catch (error) {
      console.warn('[local-sfn] onExecutionChange failed', error);
    }
  }

  async describeExecution(input: { executionArn: string }): Promise<ExecutionDescription> {
    return this.execution(input.executionArn).describe();
  }

  async listExecutions(input: ListExecutionsInput): Promise<ListExecutionsOutput> {
    const sm = this.stateMachine(input.stateMachineArn);
    if (input.statusFilter !== undefined && !EXECUTION_STATUSES.includes(input.statusFilter)) {
      throw validationError(
        `Value '${String(input.statusFilter)}' at 'statusFilter' failed to satisfy constraint`,
      );
    }
    const size = pageSize(input.maxResults);
    const scope = `executions:${sm.arn}:${input.statusFilter ?? ''}`;
    const before =
      input.nextToken === undefined ? Number.POSITIVE_INFINITY : decodeToken(input.nextToken, scope);
    // Newest first, like AWS; positions are sequence numbers so new executions do not
    // shift the pages that follow.
    const matching: ExecutionRecord[] = [];
    for (let i = sm.executions.length - 1; i >= 0; i--) {
      const execution = sm.executions[i];
      if (!execution || execution.seq >= before) continue;
      if (input.statusFilter === undefined || execution.status === input.statusFilter)
        matching.push(execution);
      if (matching.length > size) break;
    }
    const page = matching.slice(0, size);
    const last = page.at(-1);
    return {
      executions: page.map(
        (e): ExecutionListItem => ({
          executionArn: e.executionArn,
          stateMachineArn: sm.arn,
          name: e.name,
          status: e.status,
          startDate: e.startDate,
          ...(e.stopDate && { stopDate: e.stopDate }),
          redriveCount: 0,
        }),
      ),
      ...(matching.length > size && last && { nextToken: encodeToken(scope, last.seq) }),
    };
  }

  async getExecutionHistory(input: GetExecutionHistoryInput): Promise<GetExecutionHistoryOutput> {
    const execution = this.execution(input.executionArn);
    // The engine's event log trails by a few microtasks: let it deliver what has happened.
    await new Promise((resolve) => setImmediate(resolve));
    return execution.history.page({
      maxResults: pageSize(input.maxResults),
      reverseOrder: input.reverseOrder,
      nextToken: input.nextToken,
      includeExecutionData: input.includeExecutionData,
    });
  }

  async stopExecution(input: StopExecutionInput): Promise<StopExecutionOutput> {
    checkLength('error', input.error, MAX_ERROR_LENGTH);
    checkLength('cause', input.cause, MAX_CAUSE_LENGTH);
    const execution = this.execution(input.executionArn);
    if (!execution.isRunning()) return { stopDate: execution.stopDate ?? new Date() };
    execution.history.abortDetails = {
      ...(input.error !== undefined && { error: input.error }),
      ...(input.cause !== undefined && { cause: input.cause }),
    };
    this.finish(execution, { status: 'ABORTED', error: input.error, cause: input.cause });
    // After finish(): the engine reports the abort through the history synchronously,
    // and the run's settling afterwards no longer changes the status.
    execution.abortRun?.();
    return { stopDate: execution.stopDate ?? new Date() };
  }

  async sendTaskSuccess(input: SendTaskSuccessInput): Promise<Record<string, never>> {
    const token = checkToken(input.taskToken);
    if (typeof input.output !== 'string' || Buffer.byteLength(input.output) > MAX_PAYLOAD_BYTES) {
      throw new StepFunctionsError(
        'InvalidOutput',
        'Invalid Output: output must be a JSON string of at most 262144 bytes',
      );
    }
    let output: unknown;
    try {
      output = JSON.parse(input.output);
    } catch (error) {
      throw new StepFunctionsError('InvalidOutput', `Invalid Output: '${(error as Error).message}'`);
    }
    this.tokens.succeed(token, output);
    return {};
  }

  async sendTaskFailure(input: SendTaskFailureInput): Promise<Record<string, never>> {
    const token = checkToken(input.taskToken);
    checkLength('error', input.error, MAX_ERROR_LENGTH);
    checkLength('cause', input.cause, MAX_CAUSE_LENGTH);
    this.tokens.fail(token, input.error ?? 'States.TaskFailed', input.cause ?? '');
    return {};
  }

  async sendTaskHeartbeat(input: SendTaskHeartbeatInput): Promise<Record<string, never>> {
    this.tokens.heartbeat(checkToken(input.taskToken));
    return {};
  }

  /** Resolves with the description once the execution has ended (a test convenience). */
  async waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    const execution = this.execution(executionArn);
    await execution.done;
    return execution.describe();
  }

  /**
   * Stops running every execution so that no timer or task keeps the process busy.
   * Recorded statuses are left as they are and no change is reported: closing the
   * service is not an AWS-visible event. The service accepts no new executions after.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Nothing from here on is a fact: the aborted runs go on at the next start.
    this.journal?.close();
    const stopped = new UncatchableStateError('States.Runtime', 'The service has stopped');
    for (const reject of this.parked) reject(stopped);
    this.parked.clear();
    for (const execution of this.executions.values()) {
      if (!execution.isRunning()) continue;
      execution.abortRun?.();
      this.release(execution);
      execution.markDone();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw validationError('The local Step Functions service has been closed');
    if (this.journal && !this.restored)
      throw validationError('The local Step Functions service has not restored its journal yet');
  }

  private stateMachine(arn: unknown): StateMachineRecord {
    parseStateMachineArn(arn);
    const sm = this.stateMachines.get(arn as string);
    if (!sm)
      throw new StepFunctionsError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${String(arn)}'`,
      );
    return sm;
  }

  private execution(arn: unknown): ExecutionRecord {
    parseExecutionArn(arn);
    const execution = this.executions.get(arn as string);
    if (!execution)
      throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  }
}
