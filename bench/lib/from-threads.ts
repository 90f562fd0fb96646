/**
 * The benchmarks' hooks on the embedded stack's routes' threads (its preloads, see
 * EmbeddedStackOptions.routeThreadPreload) post what they see over a BroadcastChannel;
 * this hands each message to `take` on the main thread. Listening keeps no process alive.
 */
import { BroadcastChannel } from 'node:worker_threads';

export function fromThreads<T>(channel: string, take: (message: T) => void): void {
  const listener = new BroadcastChannel(channel);
  listener.onmessage = (message) => take((message as { data: T }).data);
  (listener as unknown as { unref(): void }).unref();
}
