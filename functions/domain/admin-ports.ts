/** What the admin console needs beyond the use cases' ports: list reads, search and executions. */
import type { LinkOpen, OutboxRecord, StepWait, StoredRound } from './ports.ts';
import type { GroupState, Nomination, NominationStatus } from './types.ts';

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
  /** Mails of a round that bounced, were complained about or failed, or are still being retried (status retrying). */
  listUndeliveredMail(roundId: string): Promise<OutboxRecord[]>;
  /** The opens of a nomination's links (one record per link), for its timeline. */
  listLinkOpens(roundId: string, municipalityId: string): Promise<LinkOpen[]>;
}

export interface NominationKey {
  roundId: string;
  municipalityId: string;
}

/** Reads behind the search across rounds: index Queries and batch reads, never a Scan. */
export interface NominationSearch {
  /** Nominations indexed under a term beginning with `prefix` (normalised); at most `limit`. */
  keysByPrefix(prefix: string, limit: number): Promise<{ keys: NominationKey[]; more: boolean }>;
  /** Nominations in a state, the most recently changed first; at most `limit`. */
  byStatus(status: NominationStatus, limit: number): Promise<{ nominations: Nomination[]; more: boolean }>;
  getNominations(keys: NominationKey[]): Promise<Nomination[]>;
  getRounds(roundIds: string[]): Promise<StoredRound[]>;
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
