/** What the admin console needs beyond the use cases' ports: list reads and executions. */
import type { OutboxRecord, StepWait, StoredRound } from './ports.ts';
import type { GroupState } from './types.ts';

/** Reads designed for the console's lists: each is one DynamoDB Query, never a Scan. */
export interface ConsoleReads {
  /** Every round, newest first. */
  listRounds(): Promise<StoredRound[]>;
  /** The groups of a round with their state (planned / active). */
  listGroups(roundId: string): Promise<GroupState[]>;
  /** The step waits of a round: who is being waited on, since when. */
  listWaits(roundId: string): Promise<StepWait[]>;
  /** The outbox of one municipality (or `group:<id>` / `round`) in a round. */
  listMail(roundId: string, scope: string): Promise<OutboxRecord[]>;
  /** Mails of a round that bounced, were complained about or failed. */
  listUndeliveredMail(roundId: string): Promise<OutboxRecord[]>;
}

/** One event of an execution's technical history (GetExecutionHistory), without data. */
export interface ExecutionEvent {
  at: string;
  type: string;
  state?: string;
  error?: string;
  cause?: string;
}

export interface NominationExecutions {
  /** The execution name of a nomination's first run. */
  nameOf(roundId: string, municipalityId: string): string;
  /** Its history, oldest first; empty when there is no such execution. */
  history(executionName: string): Promise<ExecutionEvent[]>;
  /** Stops a running execution (no-op when it has ended or does not exist). */
  stop(executionName: string, error: string, cause: string): Promise<void>;
  /** Starts a new nomination execution. */
  start(executionName: string, input: unknown): Promise<{ executionArn: string }>;
}
