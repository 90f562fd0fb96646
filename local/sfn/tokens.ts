/**
 * Task tokens for callback (`.waitForTaskToken`) tasks.
 *
 * The engine resolves `$$.Task.Token` from a context object that is fixed per
 * execution, so the service puts a getter there that mints a fresh token on every read
 * (`mint`). When a callback Task handler then runs, it looks for tokens of its execution
 * inside its own input (`open`): those are the ones its Parameters placed there, and
 * they now belong to that task until SendTaskSuccess/SendTaskFailure, a heartbeat
 * timeout, the task's timeout or the end of the execution.
 *
 * Errors follow AWS: a token we never issued is an InvalidToken; one whose task is over
 * (completed, timed out, execution stopped) is TaskTimedOut; one that was read but no
 * callback task is waiting on it is TaskDoesNotExist.
 *
 * After a restart, the tokens that waiting tasks had handed out are `restore`d before
 * their executions are replayed: the replayed task takes them back (`rebind`), and an
 * answer that comes before the replay got there is recorded for it.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { StepFunctionsError, stateError } from './errors.ts';
import type { TaskOutcome } from './journal.ts';

/** Closed tokens remembered for the TaskTimedOut answer; older ones fall back to InvalidToken. */
const CLOSED_TOKENS_KEPT = 100_000;

interface PendingCallback {
  readonly owner: string;
  readonly tokens: string[];
  done: boolean;
  resolve(value: unknown): void;
  reject(error: Error): void;
  /** performance.now() after which the engine has timed the task out. */
  readonly deadline: number | undefined;
  readonly heartbeatMs: number | undefined;
  heartbeatTimer: NodeJS.Timeout | undefined;
  /** Told of SendTaskSuccess/SendTaskFailure before the task hears of it (the journal). */
  readonly onAnswer: ((outcome: TaskOutcome) => void) | undefined;
}

type TokenEntry =
  | { status: 'minted'; owner: string }
  | { status: 'pending'; owner: string; callback: PendingCallback }
  | {
      status: 'restored';
      owner: string;
      /** Epoch ms after which the task has timed out. */
      dueAt: number | undefined;
      onAnswer: (outcome: TaskOutcome) => void;
    }
  | { status: 'closed' };

const MASK = '<task-token>';

export interface CallbackOptions {
  /** The Task's timeout as the engine applies it; undefined if we could not evaluate it. */
  timeoutMs?: number;
  heartbeatMs?: number;
  onAnswer?: (outcome: TaskOutcome) => void;
}

export interface OpenCallback {
  /** Settles with the SendTaskSuccess output, or rejects with the failure. */
  readonly promise: Promise<unknown>;
  readonly tokens: readonly string[];
  /** Fails the task unless a token already settled it (e.g. the Lambda invocation failed). */
  fail(error: Error): void;
}

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) collectStrings(item, into);
}

export class TaskTokens {
  private readonly entries = new Map<string, TokenEntry>();
  /** Live (minted or pending) tokens per owning execution ARN. */
  private readonly byOwner = new Map<string, Set<string>>();
  /** Callbacks still waiting, per owning execution ARN (a callback may hold no token). */
  private readonly callbacksByOwner = new Map<string, Set<PendingCallback>>();
  private closedCount = 0;

  /** A new unguessable token (256 random bits) for `owner`. */
  mint(owner: string): string {
    const token = randomBytes(32).toString('base64url');
    this.entries.set(token, { status: 'minted', owner });
    this.liveTokens(owner).add(token);
    return token;
  }

  /**
   * A token a task of `owner` handed out before a restart, still waiting: the replayed
   * task takes it back with `rebind`; an answer before that goes to `onAnswer`.
   */
  restore(
    owner: string,
    token: string,
    dueAt: number | undefined,
    onAnswer: (outcome: TaskOutcome) => void,
  ): void {
    this.entries.set(token, { status: 'restored', owner, dueAt, onAnswer });
    this.liveTokens(owner).add(token);
  }

  private liveTokens(owner: string): Set<string> {
    let live = this.byOwner.get(owner);
    if (!live) {
      live = new Set();
      this.byOwner.set(owner, live);
    }
    return live;
  }

  private isUnclaimed(token: string, owner: string): boolean {
    const entry = this.entries.get(token);
    return (entry?.status === 'minted' || entry?.status === 'restored') && entry.owner === owner;
  }

  /** `input` as JSON with the tokens of `owner` replaced by a placeholder: the same for a replay. */
  mask(owner: string, input: unknown): string {
    const live = this.byOwner.get(owner);
    return (
      JSON.stringify(input, (_key, value: unknown) =>
        typeof value === 'string' && live?.has(value) ? MASK : value,
      ) ?? 'null'
    );
  }

  /**
   * A copy of `input` with the fresh tokens of `owner` in it replaced, in order of
   * appearance, by the `recorded` ones a replayed task had handed out before; the fresh
   * ones are closed.
   */
  rebind(owner: string, input: unknown, recorded: readonly string[]): unknown {
    const strings: string[] = [];
    collectStrings(input, strings);
    const fresh = [
      ...new Set(
        strings.filter((s) => this.entries.get(s)?.status === 'minted' && this.isUnclaimed(s, owner)),
      ),
    ];
    const replacement = new Map<string, string>();
    fresh.forEach((token, i) => {
      const old = recorded[i];
      if (old !== undefined) replacement.set(token, old);
    });
    for (const token of replacement.keys()) this.close(token, owner);
    if (replacement.size === 0) return input;
    return JSON.parse(JSON.stringify(input), (_key, value: unknown) =>
      typeof value === 'string' && replacement.has(value) ? replacement.get(value) : value,
    );
  }

  /** Binds the tokens of `owner` that appear in `input` to a new pending callback. */
  open(owner: string, input: unknown, options: CallbackOptions): OpenCallback {
    const strings: string[] = [];
    collectStrings(input, strings);
    const isMintedHere = (token: string): boolean => this.isUnclaimed(token, owner);
    // Usually the token is a whole string value; embedding (States.Format) is rarer and
    // costs a scan of this execution's unclaimed tokens.
    let tokens = [...new Set(strings.filter(isMintedHere))];
    if (tokens.length === 0) {
      tokens = [...(this.byOwner.get(owner) ?? [])].filter(
        (token) => isMintedHere(token) && strings.some((s) => s.includes(token)),
      );
    }

    let resolve!: (value: unknown) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // The engine stops listening after a timeout or abort; a later rejection of this
    // promise must not surface as an unhandled rejection.
    promise.catch(() => {});
    const callback: PendingCallback = {
      owner,
      tokens,
      done: false,
      resolve,
      reject,
      deadline: options.timeoutMs === undefined ? undefined : performance.now() + options.timeoutMs,
      heartbeatMs: options.heartbeatMs,
      heartbeatTimer: undefined,
      onAnswer: options.onAnswer,
    };
    for (const token of tokens) this.entries.set(token, { status: 'pending', owner, callback });
    let waiting = this.callbacksByOwner.get(owner);
    if (!waiting) {
      waiting = new Set();
      this.callbacksByOwner.set(owner, waiting);
    }
    waiting.add(callback);
    this.armHeartbeat(callback);
    return {
      promise,
      tokens,
      fail: (error) => {
        if (!callback.done) this.settle(callback, () => reject(error));
      },
    };
  }

  succeed(token: string, output: unknown): void {
    if (this.answerRestored(token, { output })) return;
    const callback = this.pendingCallback(token);
    callback.onAnswer?.({ output });
    this.settle(callback, () => callback.resolve(output));
  }

  fail(token: string, error: string, cause: string): void {
    if (this.answerRestored(token, { error, cause })) return;
    const callback = this.pendingCallback(token);
    callback.onAnswer?.({ error, cause });
    this.settle(callback, () => callback.reject(stateError(error, cause)));
  }

  heartbeat(token: string): void {
    const entry = this.entries.get(token);
    if (entry?.status === 'restored') {
      this.checkRestoredDue(token, entry);
      return;
    }
    const callback = this.pendingCallback(token);
    this.armHeartbeat(callback);
  }

  /** An answer for a task whose replay has not reached it yet: recorded for it. */
  private answerRestored(token: string, outcome: TaskOutcome): boolean {
    const entry = this.entries.get(token);
    if (entry?.status !== 'restored') return false;
    this.checkRestoredDue(token, entry);
    entry.onAnswer(outcome);
    this.close(token, entry.owner);
    return true;
  }

  private checkRestoredDue(token: string, entry: Extract<TokenEntry, { status: 'restored' }>): void {
    if (entry.dueAt !== undefined && Date.now() >= entry.dueAt) {
      this.close(token, entry.owner);
      throw new StepFunctionsError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
  }

  /** The execution is over: every token it issued stops working. */
  closeOwner(owner: string, reason: Error): void {
    // Rejecting lets the engine clear the (possibly year-long) timer of each task.
    for (const callback of [...(this.callbacksByOwner.get(owner) ?? [])]) {
      this.settle(callback, () => callback.reject(reason));
    }
    this.callbacksByOwner.delete(owner);
    for (const token of [...(this.byOwner.get(owner) ?? [])]) this.close(token, owner);
    this.byOwner.delete(owner);
  }

  private pendingCallback(token: string): PendingCallback {
    const entry = this.entries.get(token);
    if (!entry) throw new StepFunctionsError('InvalidToken', "Invalid Token: 'Invalid token'");
    if (entry.status === 'minted' || entry.status === 'restored') {
      throw new StepFunctionsError(
        'TaskDoesNotExist',
        'Task does not exist: no callback task is waiting for this token',
      );
    }
    if (entry.status === 'closed') {
      throw new StepFunctionsError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    const { callback } = entry;
    if (callback.deadline !== undefined && performance.now() >= callback.deadline) {
      // The engine's own timer has fired or is due this very tick: the task has timed
      // out, so the token is over. The promise is left alone; the engine raises
      // States.Timeout itself (a rejection from here could be caught as
      // States.TaskFailed, which AWS never does for a timeout).
      this.settle(callback, () => {});
      throw new StepFunctionsError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    return callback;
  }

  private settle(callback: PendingCallback, outcome: () => void): void {
    callback.done = true;
    this.callbacksByOwner.get(callback.owner)?.delete(callback);
    if (callback.heartbeatTimer) clearTimeout(callback.heartbeatTimer);
    callback.heartbeatTimer = undefined;
    for (const token of callback.tokens) {
      const entry = this.entries.get(token);
      if (entry?.status === 'pending') this.close(token, entry.owner);
    }
    outcome();
  }

  private armHeartbeat(callback: PendingCallback): void {
    if (callback.heartbeatMs === undefined) return;
    if (callback.heartbeatTimer) clearTimeout(callback.heartbeatTimer);
    callback.heartbeatTimer = setTimeout(() => {
      callback.heartbeatTimer = undefined;
      if (callback.done) return;
      this.settle(callback, () =>
        callback.reject(stateError('States.HeartbeatTimeout', 'The task did not send a heartbeat in time')),
      );
    }, callback.heartbeatMs);
  }

  private close(token: string, owner: string): void {
    this.entries.delete(token);
    this.entries.set(token, { status: 'closed' });
    this.byOwner.get(owner)?.delete(token);
    this.closedCount++;
    if (this.closedCount > CLOSED_TOKENS_KEPT) this.forgetOldestClosed();
  }

  private forgetOldestClosed(): void {
    // Map iteration order is insertion order, and closing re-inserts: the first closed
    // entries met are the oldest.
    for (const [token, entry] of this.entries) {
      if (entry.status !== 'closed') continue;
      this.entries.delete(token);
      this.closedCount--;
      if (this.closedCount <= CLOSED_TOKENS_KEPT) return;
    }
  }
}
