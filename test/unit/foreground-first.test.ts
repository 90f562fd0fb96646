import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ForegroundFirst } from '../../local/foreground-first.ts';

describe('ForegroundFirst: workflow tasks wait for the requests being answered', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A piece of work that ends when the test says so, and tells whether it has started. */
  function work() {
    let finish = () => {};
    const state = { started: false };
    const run = () =>
      new Promise<void>((resolve) => {
        state.started = true;
        finish = resolve;
      });
    return {
      run,
      get started() {
        return state.started;
      },
      finish: async () => {
        finish();
        await vi.advanceTimersByTimeAsync(0);
      },
    };
  }

  const flush = () => vi.advanceTimersByTimeAsync(0);

  it('starts a task at once when nobody is being answered', async () => {
    const gate = new ForegroundFirst(1000);
    const task = work();
    void gate.background(task.run);
    await flush();
    expect(task.started).toBe(true);
  });

  it('holds tasks until the last request being answered is done, then starts them all', async () => {
    const gate = new ForegroundFirst(1000, { underLoad: 1 });
    const [first, second] = [work(), work()];
    void gate.foreground(first.run);
    void gate.foreground(second.run);
    const tasks = [work(), work(), work()];
    for (const task of tasks) void gate.background(task.run);
    await flush();
    expect(tasks.map((t) => t.started)).toEqual([false, false, false]);
    await first.finish();
    expect(tasks.map((t) => t.started)).toEqual([false, false, false]);
    await second.finish();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true]);
  });

  it('under steady load starts overdue tasks a few at a time, oldest first, not in a burst', async () => {
    const gate = new ForegroundFirst(1000, { underLoad: 2 });
    void gate.foreground(work().run);
    const tasks = [work(), work(), work(), work()];
    for (const task of tasks) void gate.background(task.run);
    await vi.advanceTimersByTimeAsync(999);
    expect(tasks.map((t) => t.started)).toEqual([false, false, false, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect(tasks.map((t) => t.started)).toEqual([true, true, false, false]);
    await tasks[0]?.finish();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true, false]);
    await tasks[1]?.finish();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true, true]);
  });

  it('does not start a task before its delay under load, even with room to run it', async () => {
    const gate = new ForegroundFirst(1000, { underLoad: 2 });
    void gate.foreground(work().run);
    const early = work();
    void gate.background(early.run);
    await vi.advanceTimersByTimeAsync(500);
    const late = work();
    void gate.background(late.run);
    await vi.advanceTimersByTimeAsync(500);
    expect([early.started, late.started]).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(500);
    expect(late.started).toBe(true);
  });

  it('counts a failed request or task as done and passes its error on', async () => {
    const gate = new ForegroundFirst(1000, { underLoad: 1 });
    await expect(
      gate.foreground(async () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    void gate.foreground(work().run);
    const failing = gate.background(async () => {
      throw new Error('task failed');
    });
    const failed = expect(failing).rejects.toThrow('task failed');
    await vi.advanceTimersByTimeAsync(1000);
    await failed;
    // The failed task's place (one may run under load) is free again.
    const task = work();
    void gate.background(task.run);
    await vi.advanceTimersByTimeAsync(1000);
    expect(task.started).toBe(true);
  });

  it('runs at most `atOnce` tasks when idle, the others in order as places free up', async () => {
    const gate = new ForegroundFirst(1000, { atOnce: 2 });
    const tasks = [work(), work(), work(), work()];
    for (const task of tasks) void gate.background(task.run);
    await flush();
    expect(tasks.map((t) => t.started)).toEqual([true, true, false, false]);
    expect(gate.pending).toBe(4);
    await tasks[1]?.finish();
    expect(tasks.map((t) => t.started)).toEqual([true, true, true, false]);
    // A task arriving now queues behind the one held, not before it.
    const late = work();
    void gate.background(late.run);
    await tasks[0]?.finish();
    expect([tasks[3]?.started, late.started]).toEqual([true, false]);
    await tasks[2]?.finish();
    expect(late.started).toBe(true);
    for (const task of [tasks[3], late]) await task?.finish();
    expect(gate.pending).toBe(0);
  });

  it('for the grace after the last answer starts tasks one at a time, then as many as may run', async () => {
    const gate = new ForegroundFirst(1000, { graceMs: 100, betweenAnswers: 1, atOnce: 8 });
    const page = work();
    void gate.foreground(page.run);
    const tasks = [work(), work(), work()];
    for (const task of tasks) void gate.background(task.run);
    await flush();
    expect(tasks.map((t) => t.started)).toEqual([false, false, false]);
    await page.finish();
    // The task the answer set off starts at once; the others wait for the grace to pass.
    expect(tasks.map((t) => t.started)).toEqual([true, false, false]);
    await vi.advanceTimersByTimeAsync(99);
    expect(tasks.map((t) => t.started)).toEqual([true, false, false]);
    // The next page within the grace holds them again; the grace starts again after it.
    const next = work();
    void gate.foreground(next.run);
    await next.finish();
    await vi.advanceTimersByTimeAsync(99);
    expect(tasks.map((t) => t.started)).toEqual([true, false, false]);
    await vi.advanceTimersByTimeAsync(1);
    expect(tasks.map((t) => t.started)).toEqual([true, true, true]);
  });

  it('passes answers and results through', async () => {
    const gate = new ForegroundFirst(1000);
    await expect(gate.foreground(async () => 'answer')).resolves.toBe('answer');
    await expect(gate.background(async () => 'result')).resolves.toBe('result');
  });
});
