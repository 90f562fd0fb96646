/**
 * The HTTP routes' functions (link pages, admin console) on threads of their own, the way
 * API Gateway's Lambdas run apart from the workflow's task Lambdas on AWS. Embedded, the
 * main thread keeps the Step Functions engine, its task functions, the SES emulator and the
 * HTTP bridge; dynalite has its own thread (stack.ts).
 *
 * A HandlerThread is one warm Lambda container; a HandlerThreadPool is several of them, as
 * Lambda runs concurrent invocations in concurrent containers. Like a container, a thread
 * may die (an error no invocation caught): the invocations it held fail, as Lambda's would,
 * and its next one starts a fresh thread.
 */
import { Worker } from 'node:worker_threads';
import { log } from '../functions/shared/logger.ts';
import type { LocalFunction } from './template.ts';

type Reply = { id: number; result?: unknown; error?: { name: string; message: string } };

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** What an invocation the thread held gets when the thread dies. */
export class HandlerThreadDiedError extends Error {
  override readonly name = 'Lambda.ServiceException';
}

export class HandlerThread {
  private worker: Promise<Worker>;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private stopped = false;

  private constructor(
    private readonly functions: LocalFunction[],
    private readonly preload: string[],
  ) {
    this.worker = this.spawn();
  }

  /**
   * A thread with these functions imported, once it can take invocations. `preload`: module
   * URLs the thread imports before them (instrumentation: the benchmarks' counters).
   */
  static async start(functions: LocalFunction[], preload: string[] = []): Promise<HandlerThread> {
    const thread = new HandlerThread(functions, preload);
    await thread.worker;
    return thread;
  }

  private spawn(): Promise<Worker> {
    const worker = new Worker(new URL('./handler-thread-worker.mjs', import.meta.url), {
      workerData: { functions: this.functions, preload: this.preload },
      // The worker registers tsx itself; the parent's loader flags (tsx's, vitest's) are not for it.
      execArgv: [],
    });
    let started = false;
    const ready = new Promise<Worker>((resolve, reject) => {
      worker.on('message', (reply: Reply | 'ready') => {
        if (reply !== 'ready') return this.settle(reply);
        started = true;
        resolve(worker);
      });
      worker.on('error', (error) => {
        if (!started) return reject(error);
        log.error('the functions thread died', { error: error.name, errorMessage: error.message });
      });
    });
    worker.once('exit', (code) => {
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.reject(new HandlerThreadDiedError(`The functions' thread ended (exit code ${code})`));
      }
      // A thread that never started (a function that fails to import) is not retried.
      if (started && !this.stopped) this.worker = this.spawn();
    });
    // A failed start is the caller's (start or the next invoke), not an unhandled rejection.
    ready.catch(() => undefined);
    return ready;
  }

  private settle(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.error)
      pending.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    else pending.resolve(reply.result);
  }

  /** Runs the function on the thread; rejects with the handler's error, its `name` kept. */
  async invoke(functionArnOrName: string, event: unknown): Promise<unknown> {
    const worker = await this.worker;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, arn: functionArnOrName, event });
    });
  }

  /** Ends the thread; invocations still held are failed (stop the HTTP bridge first). */
  async stop(): Promise<void> {
    this.stopped = true;
    const worker = await this.worker.catch(() => undefined);
    await worker?.terminate();
  }
}

interface PoolSlot {
  thread: HandlerThread;
  /** Invocations sent to the thread and not yet answered. */
  inFlight: number;
}

/**
 * Several threads with the same functions: each invocation goes to the thread holding the
 * fewest, ties in turn (so that every thread's code is warm when a burst comes).
 */
export class HandlerThreadPool {
  private readonly slots: PoolSlot[];
  private turn = 0;

  private constructor(threads: HandlerThread[]) {
    this.slots = threads.map((thread) => ({ thread, inFlight: 0 }));
  }

  /** `size` threads, each as HandlerThread.start makes it; none left running if one fails. */
  static async start(
    functions: LocalFunction[],
    size: number,
    preload: string[] = [],
  ): Promise<HandlerThreadPool> {
    const started = await Promise.allSettled(
      Array.from({ length: Math.max(1, size) }, () => HandlerThread.start(functions, preload)),
    );
    const threads = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(threads.map((thread) => thread.stop()));
      throw failed.reason;
    }
    return new HandlerThreadPool(threads);
  }

  /** Runs the function on the least busy thread; as HandlerThread.invoke. */
  async invoke(functionArnOrName: string, event: unknown): Promise<unknown> {
    const first = this.turn++ % this.slots.length;
    let chosen = this.slots[first] as PoolSlot;
    for (let step = 1; step < this.slots.length; step++) {
      const slot = this.slots[(first + step) % this.slots.length] as PoolSlot;
      if (slot.inFlight < chosen.inFlight) chosen = slot;
    }
    chosen.inFlight++;
    try {
      return await chosen.thread.invoke(functionArnOrName, event);
    } finally {
      chosen.inFlight--;
    }
  }

  /** Ends every thread; invocations still held are failed (stop the HTTP bridge first). */
  async stop(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.thread.stop()));
  }
}
