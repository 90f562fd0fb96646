/**
 * An embedded Step Functions service: state machines and executions in memory, run by
 * aws-local-stepfunctions, with the API semantics of AWS Step Functions (names, ARNs,
 * idempotent StartExecution, task tokens, history, error names). The HTTP protocol
 * lives in server.ts/protocol.ts; this class is usable on its own.
 */
import { randomUUID } from 'node:crypto';
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
import { installLongTimers } from './long-timers.ts';
import { decodeToken, encodeToken, pageSize } from './pagination.ts';
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
}

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
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
  private seq = 0;
  private closed = false;

  constructor(options: LocalStepFunctionsOptions) {
    installLongTimers();
    this.invokeLambda = options.invokeLambda;
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
    this.notify(execution);
    this.run(execution, parsedInput);
    return { executionArn: arn, startDate: execution.startDate };
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
        ...(execution.waitOverrides && { waitTimeOverrides: execution.waitOverrides }),
      },
    });
    execution.abortRun = engineRun.abort;
    void this.recordHistory(execution, engineRun.eventLogs);
    engineRun.result.then(
      (output) => this.finish(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) ?? 'null' }),
      (error: unknown) => this.finish(execution, outcomeOfError(error)),
    );
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
    for (const execution of this.executions.values()) {
      if (!execution.isRunning()) continue;
      execution.abortRun?.();
      this.release(execution);
      execution.markDone();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw validationError('The local Step Functions service has been closed');
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
