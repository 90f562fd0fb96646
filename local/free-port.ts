/**
 * A free TCP port on 127.0.0.1 for a server that starts a little later.
 *
 * Picked below the range the kernel gives outgoing connections their local ports from
 * (Linux 32768–60999, macOS and Windows 49152–65535). A port that the kernel handed out
 * for a probe and took back is free for anyone in that range: an SDK client's next
 * connection can get it before the stack's server binds it, and `listen` fails with
 * EADDRINUSE (CI saw it, the demo's stack losing its port to a test's connection). Below
 * the range, only another server choosing the same port in that moment can collide.
 */
import { createServer } from 'node:net';

/** Below every common ephemeral range; above the well-known and most registered services. */
export const FREE_PORT_RANGE = { from: 20_000, to: 32_768 } as const;
const ATTEMPTS = 100;

/** Whether a server could listen on the port on 127.0.0.1 right now. */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A random port of FREE_PORT_RANGE that nothing listens on; `random` in [0, 1) picks it. */
export async function freePort(random: () => number = Math.random): Promise<number> {
  const span = FREE_PORT_RANGE.to - FREE_PORT_RANGE.from;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = FREE_PORT_RANGE.from + Math.floor(random() * span);
    if (await canListen(port)) return port;
  }
  throw new Error(
    `No free port found in ${FREE_PORT_RANGE.from}–${FREE_PORT_RANGE.to - 1} after ${ATTEMPTS} tries`,
  );
}
