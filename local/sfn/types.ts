/**
 * Request and response shapes of the service, named and shaped like the Step Functions
 * API members (camelCase on the wire too), with Dates where AWS has timestamps.
 */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface CreateStateMachineInput {
  name: string;
  /** ASL JSON text, or the parsed object. */
  definition: string | object;
  roleArn?: string;
  type?: StateMachineType;
}

export interface CreateStateMachineOutput {
  stateMachineArn: string;
  creationDate: Date;
}

export interface StateMachineDescription {
  stateMachineArn: string;
  name: string;
  status: 'ACTIVE';
  definition: string;
  roleArn: string;
  type: StateMachineType;
  creationDate: Date;
  loggingConfiguration: { level: 'OFF'; includeExecutionData: false };
  tracingConfiguration: { enabled: false };
}

export interface StateMachineListItem {
  stateMachineArn: string;
  name: string;
  type: StateMachineType;
  creationDate: Date;
}

export interface ListStateMachinesInput {
  maxResults?: number;
  nextToken?: string;
}

export interface ListStateMachinesOutput {
  stateMachines: StateMachineListItem[];
  nextToken?: string;
}

/** Milliseconds to wait in the named Wait states instead of what the definition says. */
export type WaitOverrides = Record<string, number>;

export interface StartExecutionInput {
  stateMachineArn: string;
  name?: string;
  /** JSON text; defaults to "{}". */
  input?: string;
  /**
   * LOCAL-ONLY extension (no AWS counterpart): per-execution Wait state durations in
   * milliseconds, keyed by Wait state name, so a local run need not sit through real
   * waits. Inherited by child executions started through `states:startExecution`.
   */
  waitOverrides?: WaitOverrides;
}

export interface StartExecutionOutput {
  executionArn: string;
  startDate: Date;
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  inputDetails: { included: true };
  output?: string;
  outputDetails?: { included: true };
  error?: string;
  cause?: string;
  redriveCount: 0;
  redriveStatus: 'NOT_REDRIVABLE';
}

export interface ExecutionListItem {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  redriveCount: 0;
}

export interface ListExecutionsInput {
  stateMachineArn: string;
  statusFilter?: ExecutionStatus;
  maxResults?: number;
  nextToken?: string;
}

export interface ListExecutionsOutput {
  executions: ExecutionListItem[];
  nextToken?: string;
}

export interface GetExecutionHistoryInput {
  executionArn: string;
  maxResults?: number;
  reverseOrder?: boolean;
  nextToken?: string;
  /** Default true; false leaves out inputs, outputs and task parameters. */
  includeExecutionData?: boolean;
}

/** A Step Functions HistoryEvent: at most one `<type>EventDetails` member is present. */
export interface HistoryEvent {
  timestamp: Date;
  type: string;
  id: number;
  previousEventId: number;
  [details: `${string}EventDetails`]: Record<string, unknown> | undefined;
}

export interface GetExecutionHistoryOutput {
  events: HistoryEvent[];
  nextToken?: string;
}

export interface StopExecutionInput {
  executionArn: string;
  error?: string;
  cause?: string;
}

export interface StopExecutionOutput {
  stopDate: Date;
}

export interface SendTaskSuccessInput {
  taskToken: string;
  /** JSON text. */
  output: string;
}

export interface SendTaskFailureInput {
  taskToken: string;
  error?: string;
  cause?: string;
}

export interface SendTaskHeartbeatInput {
  taskToken: string;
}
