/**
 * A switchable HTTP proxy in front of an emulator (SES, DynamoDB), for fault injection on
 * the real embedded stack: the handlers' SDK clients talk to the proxy
 * (startEmbeddedStack's `endpointOverrides`), and the test turns the network bad and good:
 *
 *   pass      forward every request to the emulator
 *   refuse    nothing listens on the port: the client's connect fails (ECONNREFUSED)
 *   reset     accept, then drop the connection without an answer (ECONNRESET)
 *   throttle  answer as the service does when throttling (SES: 429 TooManyRequestsException;
 *             DynamoDB: 400 ThrottlingException), without forwarding
 *
 * Open connections are cut on every switch, so a keep-alive connection from before cannot
 * slip past a fault. Counts every request by what was done with it.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultMode = 'pass' | 'refuse' | 'reset' | 'throttle';

/** How a service says "slow down", in its own protocol. */
export interface ThrottleAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** SES v2 (REST-JSON): what SES answers above the account's sending rate. */
export const SES_THROTTLE: ThrottleAnswer = {
  status: 429,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' },
  body: JSON.stringify({ message: 'Maximum sending rate exceeded.' }),
};

/** DynamoDB (JSON 1.0): request-rate throttling. */
export const DYNAMODB_THROTTLE: ThrottleAnswer = {
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.0' },
  body: JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
    message: 'Rate of requests exceeds the allowed throughput.',
  }),
};

export interface FaultProxy {
  /** What the handlers' SDK clients are pointed at. */
  readonly url: string;
  /** The emulator behind the proxy (set once the stack has started). */
  target: string | undefined;
  readonly mode: FaultMode;
  /** Requests by what was done with them; `refused` connections are not seen, so not counted. */
  readonly counts: { passed: number; reset: number; throttled: number };
  /** When the latest fault began and ended (epoch ms). */
  readonly lastFault: { mode: FaultMode; from: number; to?: number } | undefined;
  setMode(mode: FaultMode): Promise<void>;
  /** A fault for `ms`, then pass again; resolves when the fault is in place (not when it ends). */
  faultFor(mode: Exclude<FaultMode, 'pass'>, ms: number): Promise<void>;
  /** Resolves when the current timed fault has ended. */
  recovered(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(throttle: ThrottleAnswer): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const upstreamAgent = new Agent({ keepAlive: true });
  let mode: FaultMode = 'pass';
  let target: string | undefined;
  let lastFault: FaultProxy['lastFault'];
  let timer: NodeJS.Timeout | undefined;
  let ended: Promise<void> = Promise.resolve();
  const counts = { passed: 0, reset: 0, throttled: 0 };

  const server: Server = createServer((req, res) => {
    if (mode === 'reset' || mode === 'refuse') {
      counts.reset++;
      req.socket.destroy();
      return;
    }
    if (mode === 'throttle') {
      counts.throttled++;
      req.resume();
      req.on('end', () => {
        res.writeHead(throttle.status, { ...throttle.headers, connection: 'close' });
        res.end(throttle.body);
      });
      return;
    }
    if (!target) {
      res.writeHead(503, { connection: 'close' }).end('no target yet');
      return;
    }
    counts.passed++;
    const upstream = new URL(target);
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: upstreamAgent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => req.socket.destroy());
    req.pipe(forward);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;

  const cutConnections = () => {
    for (const socket of sockets) socket.destroy();
  };

  const setMode = async (next: FaultMode) => {
    if (next === mode) return;
    const previous = mode;
    mode = next;
    cutConnections();
    if (next === 'refuse') await new Promise<void>((resolve) => server.close(() => resolve()));
    if (previous === 'refuse') await listen(port);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    get target() {
      return target;
    },
    set target(value) {
      target = value;
    },
    get mode() {
      return mode;
    },
    counts,
    get lastFault() {
      return lastFault;
    },
    setMode,
    async faultFor(faultMode, ms) {
      clearTimeout(timer);
      await setMode(faultMode);
      const fault: NonNullable<FaultProxy['lastFault']> = { mode: faultMode, from: Date.now() };
      lastFault = fault;
      ended = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          fault.to = Date.now();
          void setMode('pass').then(resolve);
        }, ms);
      });
    },
    recovered: () => ended,
    async close() {
      clearTimeout(timer);
      cutConnections();
      upstreamAgent.destroy();
      if (mode !== 'refuse') await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
