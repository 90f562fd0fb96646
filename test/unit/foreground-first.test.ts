import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ForegroundFirst } from '../../local/foreground-first.ts';

describe('ForegroundFirst: workflow tasks wait for the requests being answered', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Whether the promise has settled after the microtasks queued so far. */
  async function settled(promise: Promise<unknown>): Promise<boolean> {
    let done = false;
    void promise.then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    return done;
  }

  it('lets a task start at once when nobody is being answered', async () => {
    const gate = new ForegroundFirst(1000);
    expect(await settled(gate.whenIdle())).toBe(true);
  });

  it('holds a task until the last request being answered is done', async () => {
    const gate = new ForegroundFirst(1000);
    let finishFirst = () => {};
    let finishSecond = () => {};
    const first = gate.foreground(() => new Promise<void>((resolve) => (finishFirst = resolve)));
    const second = gate.foreground(() => new Promise<void>((resolve) => (finishSecond = resolve)));
    const task = gate.whenIdle();
    expect(await settled(task)).toBe(false);
    finishFirst();
    await first;
    expect(await settled(task)).toBe(false);
    finishSecond();
    await second;
    expect(await settled(task)).toBe(true);
  });

  it('starts a held task after the longest delay even under steady load', async () => {
    const gate = new ForegroundFirst(1000);
    void gate.foreground(() => new Promise<void>(() => {}));
    const task = gate.whenIdle();
    await vi.advanceTimersByTimeAsync(999);
    expect(await settled(task)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(task)).toBe(true);
  });

  it('counts a failed request as answered and passes its error on', async () => {
    const gate = new ForegroundFirst(1000);
    const failing = gate.foreground(async () => {
      throw new Error('handler failed');
    });
    await expect(failing).rejects.toThrow('handler failed');
    expect(await settled(gate.whenIdle())).toBe(true);
  });

  it('passes the request’s answer through', async () => {
    const gate = new ForegroundFirst(1000);
    await expect(gate.foreground(async () => 'answer')).resolves.toBe('answer');
  });
});
