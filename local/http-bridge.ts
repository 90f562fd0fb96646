/**
 * The HTTP API on this machine: turns each request into the API Gateway HTTP API
 * (payload v2.0) event that the Lambda integration would deliver, and the handler's
 * result back into a response. Routes come from the synthesized template.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { closeGracefully } from './sfn/server.ts';
import type { LocalRoute } from './template.ts';

/** API Gateway refuses payloads over 10 MB; forms are tiny, so refuse much earlier. */
const MAX_REQUEST_BYTES = 1024 * 1024;

type Invoke = (functionArn: string, event: unknown) => Promise<unknown>;

interface CompiledRoute extends LocalRoute {
  pattern: RegExp;
  params: string[];
}

function compile(route: LocalRoute): CompiledRoute {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      // {name} is one segment; {name+} (greedy) is the rest of the path, as in API Gateway.
      const match = /^\{(\w+)(\+?)\}$/.exec(segment);
      if (!match?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(match[1]);
      return match[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), params };
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        resolve('too-large');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A path parameter, decoded; one with broken %-encoding stays as sent (handlers refuse it as an unknown id). */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const TEXTUAL = /^(text\/|application\/(x-www-form-urlencoded|json|xml))/i;

function toEvent(
  req: IncomingMessage,
  body: Buffer,
  route: CompiledRoute,
  match: RegExpExecArray,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const pathParameters: Record<string, string> = {};
  route.params.forEach((name, i) => {
    pathParameters[name] = decodePathSegment(match[i + 1] ?? '');
  });
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] = queryStringParameters[name]
      ? `${queryStringParameters[name]},${value}`
      : value;
  }
  const textual = TEXTUAL.test(headers['content-type'] ?? 'text/plain');
  const method = (req.method ?? 'GET').toUpperCase();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: url.search ? queryStringParameters : undefined,
    pathParameters,
    isBase64Encoded: !textual && body.length > 0,
    body: body.length === 0 ? undefined : textual ? body.toString('utf8') : body.toString('base64'),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
    },
  };
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
) {
  res.writeHead(status, headers);
  res.end(body);
}

function plain(res: ServerResponse, status: number, message: string) {
  send(res, status, { 'content-type': 'application/json' }, JSON.stringify({ message }));
}

export interface HttpBridge {
  server: Server;
  url: string;
  /** Stops accepting requests and lets those in progress finish (at most `graceMs`, default 10 s). */
  close(graceMs?: number): Promise<void>;
}

/**
 * API Gateway's order among routes that match a path: literal segments before {variables},
 * a greedy {proxy+} last; so POST /admin/rounds/new wins over POST /admin/{proxy+}.
 */
function specificity(route: LocalRoute): [number, number] {
  const segments = route.path.split('/').filter(Boolean);
  const greedy = segments.some((s) => /^\{\w+\+\}$/.test(s)) ? 1 : 0;
  const literal = segments.filter((s) => !s.startsWith('{')).length;
  return [greedy, -literal];
}

function bySpecificity(a: LocalRoute, b: LocalRoute): number {
  const [ga, la] = specificity(a);
  const [gb, lb] = specificity(b);
  return ga - gb || la - lb;
}

export async function startHttpBridge(options: {
  routes: LocalRoute[];
  invoke: Invoke;
  port: number;
  host?: string;
}): Promise<HttpBridge> {
  const routes = [...options.routes].sort(bySpecificity).map(compile);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = (req.method ?? 'GET').toUpperCase();
      const candidates = routes.filter((r) => r.pattern.test(url.pathname));
      if (candidates.length === 0) return plain(res, 404, 'Not Found');
      // API Gateway answers HEAD for GET routes.
      const route = candidates.find((r) => r.method === method || (method === 'HEAD' && r.method === 'GET'));
      if (!route) return plain(res, 404, 'Not Found');
      const body = await readBody(req);
      if (body === 'too-large') return plain(res, 413, 'Request Entity Too Large');
      const match = route.pattern.exec(url.pathname) as RegExpExecArray;
      const result = (await options.invoke(route.functionArn, toEvent(req, body, route, match))) as
        | APIGatewayProxyStructuredResultV2
        | undefined;
      const headers: Record<string, string | string[]> = {
        ...(result?.headers as Record<string, string> | undefined),
      };
      // Payload v2.0: `cookies` become Set-Cookie headers, one each.
      if (result?.cookies?.length) headers['set-cookie'] = result.cookies;
      const payload = result?.isBase64Encoded
        ? Buffer.from(result.body ?? '', 'base64')
        : (result?.body ?? '');
      send(res, result?.statusCode ?? 200, headers, method === 'HEAD' ? '' : payload);
    } catch {
      // What API Gateway says when the integration fails; details stay in the logs.
      if (!res.headersSent) plain(res, 500, 'Internal Server Error');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: (graceMs = 10_000) => closeGracefully(server, graceMs),
  };
}
