import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { canListen, FREE_PORT_RANGE, freePort } from '../../local/free-port.ts';

/** The kernel's range for outgoing connections' local ports, where it tells (Linux). */
function ephemeralRange(): [number, number] | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return [Number(low), Number(high)];
  } catch {
    return undefined;
  }
}

/** The `random` value that makes freePort pick this port. */
const pickOf = (port: number) =>
  (port - FREE_PORT_RANGE.from + 0.5) / (FREE_PORT_RANGE.to - FREE_PORT_RANGE.from);

const listening: Server[] = [];
function listenOn(port: number): Promise<void> {
  const server = createServer();
  listening.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
}

afterEach(async () => {
  await Promise.all(listening.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('freePort', () => {
  it('picks a port below the range outgoing connections take theirs from, and one a server can bind', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(FREE_PORT_RANGE.from);
    expect(port).toBeLessThan(FREE_PORT_RANGE.to);
    const ephemeral = ephemeralRange();
    if (ephemeral) expect(port).toBeLessThan(ephemeral[0]);
    await listenOn(port);
  });

  it('passes over a port something already listens on', async () => {
    // prepare: the first pick is taken
    const taken = await freePort();
    await listenOn(taken);
    const other = taken + 1 < FREE_PORT_RANGE.to ? taken + 1 : taken - 1;
    const picks = [pickOf(taken), pickOf(other)];
    const free = await canListen(other);

    // act
    const port = await freePort(() => picks.shift() ?? Math.random());

    // assess
    expect(port).not.toBe(taken);
    if (free) expect(port).toBe(other);
  });

  it('says so when it finds none', async () => {
    const taken = await freePort();
    await listenOn(taken);
    await expect(freePort(() => pickOf(taken))).rejects.toThrow(/No free port found in 20000–32767/);
  });
});
