/**
 * Timers longer than Node's 32-bit limit.
 *
 * Node stores timer delays as signed 32-bit milliseconds: any delay above 2^31-1 ms
 * (≈ 24.8 days) is replaced by 1 ms, so the callback fires at once. The Step Functions
 * engine (aws-local-stepfunctions) calls the global `setTimeout` directly for Task
 * `TimeoutSeconds`, Wait states and the execution `TimeoutSeconds`, and a Nomination
 * workflow legitimately waits weeks or months. We cannot pass our own timer functions
 * into the engine, so the service patches the process-wide `setTimeout`/`clearTimeout`
 * with a wrapper that only changes what was broken: delays above the limit are split
 * into a chain of maximal hops. Every other call goes to the original untouched.
 *
 * The patch is installed once and never removed: removing it could clobber whoever
 * patched the globals after us (e.g. fake timers in tests), and keeping it only ever
 * turns a fire-at-once bug into the requested delay.
 */

export const MAX_TIMER_DELAY_MS = 2_147_483_647;

export interface TimerFunctions {
  setTimeout: typeof globalThis.setTimeout;
  clearTimeout: typeof globalThis.clearTimeout;
}

type Callback = (...args: unknown[]) => void;

const INSTALLED = Symbol.for('nimitys.local-sfn.long-timers');

/**
 * Builds setTimeout/clearTimeout functions over `base` that honour delays above
 * `maxDelayMs` by chaining hops of at most `maxDelayMs`. `maxDelayMs` is a parameter so
 * tests can exercise the chaining with short delays.
 */
export function createLongTimers(
  base: TimerFunctions,
  maxDelayMs: number = MAX_TIMER_DELAY_MS,
): TimerFunctions {
  // Ids for the numeric form (`+timeout`) of long timers, far above Node's own async ids.
  let nextId = 2 ** 40;
  const byId = new Map<number, LongTimeout>();

  // Mirrors the public surface of NodeJS.Timeout (ref/unref/hasRef/refresh/close and
  // the numeric form); Node's internal `_onTimeout` has no meaning here.
  class LongTimeout {
    private current: NodeJS.Timeout | undefined;
    private remaining = 0;
    private refed = true;
    private readonly id = nextId++;

    constructor(
      private readonly callback: Callback,
      private readonly delay: number,
      private readonly args: unknown[],
    ) {
      this.start();
    }

    private start(): void {
      this.remaining = this.delay;
      byId.set(this.id, this);
      this.hop();
    }

    // The remainder is computed from the requested delay, not from a clock, so two
    // long timers created in the same tick with the same delay keep their firing order
    // (Node fires equal-duration timers in creation order).
    private hop(): void {
      const step = Math.min(this.remaining, maxDelayMs);
      this.remaining -= step;
      const last = this.remaining <= 0;
      this.current = base.setTimeout(() => {
        if (last) {
          this.current = undefined;
          byId.delete(this.id);
          this.callback(...this.args);
        } else {
          this.hop();
        }
      }, step);
      if (!this.refed) this.current.unref();
    }

    cancel(): void {
      if (this.current !== undefined) base.clearTimeout(this.current);
      this.current = undefined;
      byId.delete(this.id);
    }

    close(): this {
      this.cancel();
      return this;
    }
    hasRef(): boolean {
      return this.refed;
    }
    ref(): this {
      this.refed = true;
      this.current?.ref();
      return this;
    }
    unref(): this {
      this.refed = false;
      this.current?.unref();
      return this;
    }
    refresh(): this {
      this.cancel();
      this.start();
      return this;
    }
    [Symbol.toPrimitive](): number {
      return this.id;
    }
    [Symbol.dispose](): void {
      this.cancel();
    }
  }

  function setTimeoutLong(callback: Callback, delay?: number, ...args: unknown[]): NodeJS.Timeout {
    const ms = Number(delay);
    if (typeof callback === 'function' && Number.isFinite(ms) && ms > maxDelayMs) {
      return new LongTimeout(callback, ms, args) as unknown as NodeJS.Timeout;
    }
    return (base.setTimeout as (cb: Callback, ms?: number, ...rest: unknown[]) => NodeJS.Timeout)(
      callback,
      delay,
      ...args,
    );
  }

  function clearTimeoutLong(timeout: NodeJS.Timeout | string | number | undefined): void {
    if ((timeout as unknown) instanceof LongTimeout) {
      (timeout as unknown as LongTimeout).cancel();
      return;
    }
    if (typeof timeout === 'number' || typeof timeout === 'string') {
      const long = byId.get(Number(timeout));
      if (long) {
        long.cancel();
        return;
      }
    }
    base.clearTimeout(timeout);
  }

  // Keep `util.promisify(setTimeout)` and similar extras working.
  copyExtras(base.setTimeout, setTimeoutLong);
  return {
    setTimeout: setTimeoutLong as unknown as typeof globalThis.setTimeout,
    clearTimeout: clearTimeoutLong,
  };
}

function copyExtras(from: object, to: object): void {
  const descriptors = Object.getOwnPropertyDescriptors(from);
  for (const key of Reflect.ownKeys(descriptors)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    const descriptor = descriptors[key as keyof typeof descriptors];
    if (descriptor) Object.defineProperty(to, key, descriptor);
  }
}

/** Patches the global setTimeout/clearTimeout once per process (idempotent). */
export function installLongTimers(): void {
  const globals = globalThis as typeof globalThis & { [INSTALLED]?: true };
  if (globals[INSTALLED]) return;
  const patched = createLongTimers({
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
  });
  globalThis.setTimeout = patched.setTimeout;
  globalThis.clearTimeout = patched.clearTimeout;
  globals[INSTALLED] = true;
}
