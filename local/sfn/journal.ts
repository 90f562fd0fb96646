/**
 * The service's journal on disk: one append-only JSON-lines file that outlives the
 * process, so that executions survive a restart (even `kill -9`).
 *
 * Each line is one fact, written synchronously before the service acts on it or
 * answers for it (a StartExecution response, a SendTaskSuccess response, a token
 * handed to a Lambda): a killed process has lost nothing it had acknowledged. The page
 * cache keeps what was written when the process dies; only a power cut could lose the
 * tail, and a torn last line is ignored.
 *
 * Facts per execution: its start (input, start date, wait overrides), the history
 * events as AWS shows them, and for replay the outcome of every task attempt (keyed by
 * state name, input and occurrence, see recorder.ts), the task tokens a waiting task
 * handed out with its due time, the child a `.sync` task awaits, the due time of each
 * Wait, and its end. On load the file is rewritten without the replay facts of finished
 * executions.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { HistoryEvent, WaitOverrides } from './types.ts';

/** A task attempt's outcome as the engine saw it. */
export type TaskOutcome =
  | { output: unknown }
  | { error: string; cause: string; uncatchable?: boolean; timedOut?: boolean };

export interface StartFact {
  t: 'start';
  arn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  /** Epoch ms. */
  startDate: number;
  waitOverrides?: WaitOverrides;
  /** Of the definition it started with: a replay on another one may take another path. */
  definitionHash?: string;
}

export interface EndFact {
  t: 'end';
  arn: string;
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  stopDate: number;
  output?: string;
  error?: string;
  cause?: string;
}

export type Fact =
  | StartFact
  | EndFact
  | { t: 'event'; arn: string; event: StoredEvent }
  | { t: 'result'; arn: string; key: string; outcome: TaskOutcome }
  | { t: 'callback'; arn: string; key: string; tokens: string[]; dueAt?: number }
  | { t: 'submitted'; arn: string; key: string; output: unknown }
  | { t: 'child'; arn: string; key: string; child: string; dueAt?: number }
  | { t: 'wait'; arn: string; state: string; dueAt: number };

/** A history event with its timestamp as epoch ms. */
type StoredEvent = Omit<HistoryEvent, 'timestamp'> & { timestamp: number };

/** What is known of one task attempt. */
export interface TaskRecord {
  outcome?: TaskOutcome;
  callback?: { tokens: string[]; dueAt?: number };
  submitted?: { output: unknown };
  child?: { arn: string; dueAt?: number };
}

/** One execution as the journal remembers it. */
export interface ExecutionLog {
  start: StartFact;
  events: HistoryEvent[];
  tasks: Map<string, TaskRecord>;
  /** Due times (epoch ms) of the Wait states entered, per state name, in order. */
  waits: Map<string, number[]>;
  end?: EndFact;
}

export function emptyLog(start: StartFact): ExecutionLog {
  return { start, events: [], tasks: new Map(), waits: new Map() };
}

/** Adds a replay fact to an execution's log (also used for facts learnt while running). */
export function applyFact(log: ExecutionLog, fact: Fact): void {
  const task = (key: string): TaskRecord => {
    let record = log.tasks.get(key);
    if (!record) {
      record = {};
      log.tasks.set(key, record);
    }
    return record;
  };
  switch (fact.t) {
    case 'event':
      log.events.push({ ...fact.event, timestamp: new Date(fact.event.timestamp) } as HistoryEvent);
      return;
    case 'result': {
      const record = task(fact.key);
      // A timeout the engine raised wins over an answer that came in after it.
      if (!record.outcome || ('timedOut' in fact.outcome && fact.outcome.timedOut))
        record.outcome = fact.outcome;
      return;
    }
    case 'callback':
      task(fact.key).callback = { tokens: fact.tokens, dueAt: fact.dueAt };
      return;
    case 'submitted':
      task(fact.key).submitted = { output: fact.output };
      return;
    case 'child':
      task(fact.key).child = { arn: fact.child, dueAt: fact.dueAt };
      return;
    case 'wait': {
      const dues = log.waits.get(fact.state);
      if (dues) dues.push(fact.dueAt);
      else log.waits.set(fact.state, [fact.dueAt]);
      return;
    }
    case 'start':
    case 'end':
      return;
  }
}

export function storedEvent(event: HistoryEvent): StoredEvent {
  return { ...event, timestamp: event.timestamp.getTime() };
}

/** The facts that rebuild `log` (finished executions keep only their history). */
function factsOf(log: ExecutionLog): Fact[] {
  const arn = log.start.arn;
  const facts: Fact[] = [log.start];
  for (const event of log.events) facts.push({ t: 'event', arn, event: storedEvent(event) });
  if (log.end) {
    facts.push(log.end);
    return facts;
  }
  for (const [key, record] of log.tasks) {
    if (record.callback) facts.push({ t: 'callback', arn, key, ...record.callback });
    if (record.submitted) facts.push({ t: 'submitted', arn, key, output: record.submitted.output });
    if (record.child)
      facts.push({ t: 'child', arn, key, child: record.child.arn, dueAt: record.child.dueAt });
    if (record.outcome) facts.push({ t: 'result', arn, key, outcome: record.outcome });
  }
  for (const [state, dues] of log.waits) {
    for (const dueAt of dues) facts.push({ t: 'wait', arn, state, dueAt });
  }
  return facts;
}

export class Journal {
  private fd: number | undefined;
  private closed = false;

  constructor(readonly file: string) {}

  /**
   * Reads what earlier runs wrote (executions in the order they started), rewrites the
   * file compactly, and opens it for appending.
   */
  load(): ExecutionLog[] {
    if (this.fd !== undefined) throw new Error('The journal is already open');
    mkdirSync(path.dirname(this.file), { recursive: true });
    const logs = new Map<string, ExecutionLog>();
    if (existsSync(this.file)) {
      const lines = readFileSync(this.file, 'utf8').split('\n');
      for (const [i, line] of lines.entries()) {
        if (line.trim() === '') continue;
        let fact: Fact;
        try {
          fact = JSON.parse(line) as Fact;
        } catch (error) {
          // A line torn by a kill in the middle of a write can only be the last one.
          if (i >= lines.length - 2) break;
          throw new Error(`${this.file}:${i + 1} is not valid JSON: ${(error as Error).message}`);
        }
        if (fact.t === 'start') {
          logs.set(fact.arn, emptyLog(fact));
          continue;
        }
        const log = logs.get(fact.arn);
        if (!log) continue;
        if (fact.t === 'end') log.end = fact;
        else applyFact(log, fact);
      }
    }
    const loaded = [...logs.values()];
    const temporary = `${this.file}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      for (const log of loaded) {
        const text = factsOf(log)
          .map((fact) => `${JSON.stringify(fact)}\n`)
          .join('');
        writeSync(fd, text);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
    this.fd = openSync(this.file, 'a');
    return loaded;
  }

  /** Appends one fact, synchronously. Does nothing once closed. */
  write(fact: Fact): void {
    if (this.closed || this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(fact)}\n`);
  }

  get isOpen(): boolean {
    return this.fd !== undefined && !this.closed;
  }

  /** Stops writing: whatever happens after (aborting runs on shutdown) is not a fact. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
  }
}
