/**
 * HTTP front of the local Step Functions service, for the AWS SDK
 * (`endpoint: url` or AWS_ENDPOINT_URL_SFN) and the AWS CLI (`--endpoint-url`).
 * Listens on the loopback interface only: the service has no authentication.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalStepFunctions } from './engine.ts';
import { handleRequest, type ProtocolResponse } from './protocol.ts';

export interface StepFunctionsServerOptions {
  service: LocalStepFunctions;
  /** 0 picks a free port. */
  port: number;
  host?: '127.0.0.1';
}

export interface StepFunctionsServer {
  port: number;
  url: string;
  /** Stops accepting requests and lets those in progress finish (at most `graceMs`, default 5 s). */
  close(graceMs?: number): Promise<void>;
}

/**
 * Stops accepting connections, lets the requests in progress finish (at most
 * `graceMs`), closes idle keep-alive connections as they become idle, then resolves.
 */
export function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    // SDK clients keep connections alive; do not wait for them to time out.
    server.closeIdleConnections();
  });
}

/** Room for a 1 MiB definition once escaped as a JSON string inside the request. */
export const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

function send(res: ServerResponse, response: ProtocolResponse, closeConnection = false): void {
  if (res.headersSent) return;
  res.writeHead(response.status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(response.body),
    'x-amzn-RequestId': randomUUID(),
    ...(closeConnection && { Connection: 'close' }),
  });
  res.end(response.body);
}

function errorBody(type: string, message: string): string {
  return JSON.stringify({ __type: type, message });
}

function handle(service: LocalStepFunctions, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'POST') {
    req.resume();
    send(res, { status: 405, body: errorBody('UnknownOperationException', 'Only POST is supported') });
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) {
      tooLarge = true;
      chunks.length = 0;
      send(
        res,
        {
          status: 413,
          body: errorBody('ValidationException', `Request body exceeds ${MAX_REQUEST_BYTES} bytes`),
        },
        true,
      );
      // Stop reading the rest of an oversized upload once the answer is out.
      res.on('finish', () => req.destroy());
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', () => {
    if (!res.headersSent) res.destroy();
  });
  req.on('end', () => {
    if (tooLarge) return;
    const target = req.headers['x-amz-target'];
    handleRequest(service, {
      target: typeof target === 'string' ? target : undefined,
      body: Buffer.concat(chunks).toString('utf8'),
      header: (name) => {
        const value = req.headers[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      },
    }).then(
      (response) => send(res, response),
      (error: unknown) => {
        console.error('[local-sfn] request failed', error);
        send(res, { status: 500, body: errorBody('InternalFailure', 'Internal failure') });
      },
    );
  });
}

export async function startStepFunctionsServer(
  options: StepFunctionsServerOptions,
): Promise<StepFunctionsServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    try {
      handle(options.service, req, res);
    } catch (error) {
      console.error('[local-sfn] request failed', error);
      send(res, { status: 500, body: errorBody('InternalFailure', 'Internal failure') });
    }
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${host}:${port}`,
    close: (graceMs = 5_000) => closeGracefully(server, graceMs),
  };
}
