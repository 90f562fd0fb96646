/**
 * People first. On AWS the workflow's next Lambda runs on other machines than the page an
 * official has just submitted; embedded, both share this process and its cores, and ten
 * officials submitting at once would each wait for the workflow work that the others'
 * submits set off (minting the next link, writing and sending its mail). So a workflow
 * task starts when no person's request is being answered, or after `maxDelayMs` at the
 * latest: under steady load nothing waits longer than that, and an idle stack never waits.
 */
export class ForegroundFirst {
  private answering = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly maxDelayMs: number) {}

  /** Runs a person's request (the HTTP bridge's invocations); background work waits for it. */
  async foreground<T>(work: () => Promise<T>): Promise<T> {
    this.answering++;
    try {
      return await work();
    } finally {
      this.answering--;
      if (this.answering === 0) for (const start of [...this.waiting]) start();
    }
  }

  /** Resolves when no request is being answered, or after `maxDelayMs`. */
  whenIdle(): Promise<void> {
    if (this.answering === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const start = () => {
        clearTimeout(timer);
        this.waiting.delete(start);
        resolve();
      };
      const timer = setTimeout(start, this.maxDelayMs);
      this.waiting.add(start);
    });
  }
}
