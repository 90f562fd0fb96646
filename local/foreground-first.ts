/**
 * People first. On AWS the workflow's next Lambda runs on other machines than the page an
 * official has just submitted; embedded, both share this process and its two cores (the
 * pages' functions on threads of their own, handler-thread.ts, but the HTTP bridge, and
 * dynalite's thread, shared), and ten officials submitting at once would each wait for the
 * workflow work that the others' submits set off (minting the next link, its mail).
 *
 * So a workflow task starts when no person is being answered. Under steady load a task
 * waits `maxDelayMs` at most, and then the overdue ones start a few at a time
 * (`underLoad`), not all at once: a burst of held-back work would stall every page being
 * answered. An idle stack never holds a task back, but runs at most `atOnce` tasks at a
 * time.
 *
 * For `graceMs` after the last answer, tasks start only `betweenAnswers` at a time: officials
 * working through their links come back within milliseconds, and a backlog started in each
 * such gap stalls their next pages (the figures are with the values, in stack.ts). One, not
 * none: the task an official's answer set off starts at once, as on AWS.
 */
export interface ForegroundLimits {
  /** Workflow tasks that may run at once while people are being answered (default 4). */
  underLoad?: number;
  /**
   * Workflow tasks that may run at once when nobody is: the work a person arriving then
   * finds in the way, on the same two cores (default no limit).
   */
  atOnce?: number;
  /** How long after the last answer people may still be coming back (the next page; default 0). */
  graceMs?: number;
  /** Workflow tasks that may run at once during that grace, overdue or not (default 1). */
  betweenAnswers?: number;
}

export class ForegroundFirst {
  private answering = 0;
  /** Set while the grace after the last answer runs. */
  private graceTimer: NodeJS.Timeout | undefined;
  /** Workflow tasks running now. */
  private running = 0;
  /** Tasks held back, oldest first. */
  private readonly held: Array<{ start(): void; overdue: boolean; timer: NodeJS.Timeout }> = [];

  private readonly limits: Required<ForegroundLimits>;

  constructor(
    private readonly maxDelayMs: number,
    limits: ForegroundLimits = {},
  ) {
    this.limits = {
      underLoad: 4,
      atOnce: Number.POSITIVE_INFINITY,
      graceMs: 0,
      betweenAnswers: 1,
      ...limits,
    };
  }

  /** Workflow tasks running or waiting for their turn (the benchmarks wait for none). */
  get pending(): number {
    return this.running + this.held.length;
  }

  /** Runs a person's request (the HTTP bridge's invocations); workflow tasks wait for it. */
  async foreground<T>(work: () => Promise<T>): Promise<T> {
    this.answering++;
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    try {
      return await work();
    } finally {
      this.answering--;
      const { graceMs } = this.limits;
      if (this.answering === 0 && graceMs > 0) {
        this.graceTimer = setTimeout(() => {
          this.graceTimer = undefined;
          this.startHeld();
        }, graceMs).unref();
      }
      this.startHeld();
    }
  }

  /** Runs a workflow task when its turn comes (see above). */
  async background<T>(work: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await work();
    } finally {
      this.running--;
      this.startHeld();
    }
  }

  /** How many tasks may run now. */
  private get room(): number {
    if (this.answering > 0) return this.limits.underLoad;
    if (this.graceTimer !== undefined) return this.limits.betweenAnswers;
    return this.limits.atOnce;
  }

  /** Resolves when the task may start, counted as running from then. */
  private turn(): Promise<void> {
    if (this.answering === 0 && this.held.length === 0 && this.running < this.room) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const entry = {
        start: resolve,
        overdue: false,
        timer: setTimeout(() => {
          entry.overdue = true;
          this.startHeld();
        }, this.maxDelayMs),
      };
      this.held.push(entry);
    });
  }

  /** Held tasks, oldest first, while there is room: only overdue ones while someone is being answered. */
  private startHeld(): void {
    while (this.held.length > 0 && this.running < this.room) {
      const index = this.answering === 0 ? 0 : this.held.findIndex((h) => h.overdue);
      if (index < 0) return;
      const [entry] = this.held.splice(index, 1);
      if (!entry) return;
      clearTimeout(entry.timer);
      this.running++;
      entry.start();
    }
  }
}
