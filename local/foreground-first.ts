/**
 * People first. On AWS the workflow's next Lambda runs on other machines than the page an
 * official has just submitted; embedded, both share this process and its two cores (the
 * pages' functions on a thread of their own, handler-thread.ts, but the HTTP bridge, and
 * dynalite's thread, shared), and ten officials submitting at once would each wait for the
 * workflow work that the others' submits set off (minting the next link, its mail).
 *
 * So a workflow task starts when no person's request is being answered. Under steady
 * load a task waits `maxDelayMs` at most, and then the overdue ones start a few at a
 * time (`underLoad`), not all at once: a burst of a second's held-back work would stall
 * every page being answered. An idle stack never holds a task back.
 */
export class ForegroundFirst {
  private answering = 0;
  /** Workflow tasks running now. */
  private running = 0;
  /** Tasks held back, oldest first. */
  private readonly held: Array<{ start(): void; overdue: boolean; timer: NodeJS.Timeout }> = [];

  constructor(
    private readonly maxDelayMs: number,
    /** Workflow tasks that may run at once while people are being answered. */
    private readonly underLoad = 4,
  ) {}

  /** Runs a person's request (the HTTP bridge's invocations); workflow tasks wait for it. */
  async foreground<T>(work: () => Promise<T>): Promise<T> {
    this.answering++;
    try {
      return await work();
    } finally {
      this.answering--;
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

  /** Resolves when the task may start, counted as running from then. */
  private turn(): Promise<void> {
    if (this.answering === 0) {
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

  /** Everything held when nobody is being answered; else overdue tasks, up to `underLoad` running. */
  private startHeld(): void {
    while (this.held.length > 0) {
      const idle = this.answering === 0;
      const index = idle ? 0 : this.held.findIndex((h) => h.overdue);
      if (index < 0 || (!idle && this.running >= this.underLoad)) return;
      const [entry] = this.held.splice(index, 1);
      if (!entry) return;
      clearTimeout(entry.timer);
      this.running++;
      entry.start();
    }
  }
}
