/**
 * What one execution writes to the journal, and what its replay reads back.
 *
 * After a restart an unfinished execution runs again from its input. Every Task attempt
 * gets a key: its state name, a hash of its effective input (task tokens masked, so the
 * fresh token of a replay does not change it) and how many times that state already
 * ran with that input in this execution. Runs of the same definition over the same
 * recorded results reach the same states with the same inputs in the same order, so
 * the replay finds each attempt's outcome under the same key and answers it from the
 * record instead of running the task again; Map iterations differ by their input, so
 * their order does not matter. The first attempt without an outcome is where the
 * execution was when it stopped: there it goes on live.
 */
import { createHash } from 'node:crypto';
import type { ExecutionLog, Fact, Journal, TaskOutcome, TaskRecord } from './journal.ts';

export class TaskRecorder {
  private readonly counts = new Map<string, number>();
  private readonly lastByState = new Map<string, { hash: string; n: number }>();
  /** Recorded due times of Wait states not yet reached again by the replay. */
  private readonly pendingWaits: Map<string, number[]>;
  private caughtUp = false;
  private readonly onCaughtUp: () => void;
  /** Resolves once the replay has reached what was live when the process stopped. */
  readonly replayed: Promise<void>;

  constructor(
    readonly executionArn: string,
    private readonly journal: Journal,
    private readonly log: ExecutionLog,
  ) {
    this.pendingWaits = new Map([...log.waits].map(([state, dues]) => [state, [...dues]]));
    let resolve!: () => void;
    this.replayed = new Promise<void>((r) => {
      resolve = r;
    });
    this.onCaughtUp = resolve;
  }

  /** The key of the next attempt of `stateName` with this (token-masked) input. */
  keyFor(stateName: string, maskedInput: string): string {
    const hash = createHash('sha256').update(maskedInput).digest('base64url').slice(0, 16);
    const id = `${stateName}#${hash}`;
    const n = (this.counts.get(id) ?? 0) + 1;
    this.counts.set(id, n);
    this.lastByState.set(stateName, { hash, n });
    return `${stateName}#${n}#${hash}`;
  }

  record(key: string): TaskRecord | undefined {
    return this.log.tasks.get(key);
  }

  /** Whether the attempt after the last one of `stateName` was recorded (a retry already waited for). */
  nextAttemptRecorded(stateName: string): boolean {
    const last = this.lastByState.get(stateName);
    return last !== undefined && this.log.tasks.has(`${stateName}#${last.n + 1}#${last.hash}`);
  }

  private task(key: string): TaskRecord {
    let record = this.log.tasks.get(key);
    if (!record) {
      record = {};
      this.log.tasks.set(key, record);
    }
    return record;
  }

  private write(fact: Fact): void {
    this.journal.write(fact);
  }

  outcome(key: string, outcome: TaskOutcome): void {
    const record = this.task(key);
    const timedOut = 'timedOut' in outcome && outcome.timedOut === true;
    if (record.outcome && !(timedOut && !('timedOut' in record.outcome && record.outcome.timedOut))) return;
    record.outcome = outcome;
    this.write({ t: 'result', arn: this.executionArn, key, outcome });
  }

  callback(key: string, tokens: string[], dueAt: number | undefined): void {
    this.task(key).callback = { tokens, dueAt };
    this.write({ t: 'callback', arn: this.executionArn, key, tokens, dueAt });
  }

  submitted(key: string, output: unknown): void {
    const record = this.task(key);
    if (record.submitted) return;
    record.submitted = { output };
    this.write({ t: 'submitted', arn: this.executionArn, key, output });
  }

  child(key: string, child: string, dueAt: number | undefined): void {
    this.task(key).child = { arn: child, dueAt };
    this.write({ t: 'child', arn: this.executionArn, key, child, dueAt });
  }

  /**
   * How long the Wait `state` lasts now: what is left of a recorded one (the replay
   * reaching it again), else `ms` (undefined: the engine computes it), recorded.
   */
  waitMs(state: string, ms: number | undefined): number | undefined {
    const recorded = this.pendingWaits.get(state)?.shift();
    if (recorded !== undefined) {
      const left = Math.max(0, recorded - Date.now());
      if (left > 0) this.live();
      return left;
    }
    this.live();
    if (ms !== undefined) this.write({ t: 'wait', arn: this.executionArn, state, dueAt: Date.now() + ms });
    return ms;
  }

  /** The replay has reached a step that was not over when the process stopped. */
  live(): void {
    if (this.caughtUp) return;
    this.caughtUp = true;
    this.onCaughtUp();
  }
}
