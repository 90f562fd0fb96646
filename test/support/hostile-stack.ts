/**
 * What the hostile-input suite checks after every case: the table's items, the
 * workflow executions with their history lengths, and the mails in the local SES store,
 * before and after; and that an answer carries no stack trace or other internals.
 * Plus two ways of sending what fetch() would not: a path as typed, and raw bytes.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { GetExecutionHistoryCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SesStore } from '../../local/ses-store.ts';

export interface StackSnapshot {
  /** `pk|sk` → the item as JSON with sorted keys. */
  items: Map<string, string>;
  /** execution name → `status/events in its history`. */
  executions: Map<string, string>;
  mails: number;
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export async function snapshotStack(deps: {
  db: DynamoDBDocumentClient;
  tableName: string;
  sfn: SFNClient;
  stateMachineArns: string[];
  ses: SesStore;
}): Promise<StackSnapshot> {
  const items = new Map<string, string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.db.send(
      new ScanCommand({ TableName: deps.tableName, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) items.set(`${item.pk}|${item.sk}`, sortedJson(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  const executions = new Map<string, string>();
  for (const stateMachineArn of deps.stateMachineArns) {
    let nextToken: string | undefined;
    do {
      const page = await deps.sfn.send(
        new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: 1000 }),
      );
      for (const execution of page.executions ?? []) {
        let events = 0;
        let historyToken: string | undefined;
        do {
          const history = await deps.sfn.send(
            new GetExecutionHistoryCommand({
              executionArn: execution.executionArn,
              nextToken: historyToken,
              maxResults: 1000,
            }),
          );
          events += history.events?.length ?? 0;
          historyToken = history.nextToken;
        } while (historyToken);
        executions.set(execution.name ?? '', `${execution.status}/${events}`);
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return { items, executions, mails: (await deps.ses.mailsSince()).length };
}

/** Every difference between two snapshots, in words; empty when nothing changed. Keys matching `allow` may be added or rewritten. */
export function differences(
  before: StackSnapshot,
  after: StackSnapshot,
  options: { allow?: RegExp } = {},
): string[] {
  const out: string[] = [];
  const allowed = (key: string) => options.allow?.test(key) ?? false;
  for (const [key, value] of after.items) {
    if (!before.items.has(key)) {
      if (!allowed(key)) out.push(`stored: ${key}`);
    } else if (before.items.get(key) !== value && !allowed(key)) out.push(`changed: ${key}`);
  }
  for (const key of before.items.keys()) if (!after.items.has(key)) out.push(`deleted: ${key}`);
  for (const [name, state] of after.executions) {
    const was = before.executions.get(name);
    if (was !== state) out.push(`workflow moved: ${name} ${was ?? 'none'} → ${state}`);
  }
  if (after.mails !== before.mails) out.push(`mails sent: ${after.mails - before.mails}`);
  return out;
}

/**
 * Internals an answer must never show: stack frames, JS error names, file paths,
 * the engine's or SDK's words. Returns what it found.
 */
export function internalsIn(text: string): string[] {
  const patterns: Array<[string, RegExp]> = [
    ['stack frame', /^\s*at\s+\S+.*(?:\(|:\d+:\d+)/m],
    ['stack frame', /\bat\s+\S+\s+\(\S+:\d+:\d+\)/],
    ['error name', /\b(?:Type|Reference|Syntax|Range|URI|Eval)Error\b/],
    ['Error:', /\bError:/],
    ['exception', /\w+Exception\b/],
    ['file path', /(?:\/work\/|node_modules|file:\/\/|\.ts:\d+|\.js:\d+)/],
    ['task token', /taskToken/i],
  ];
  return patterns.filter(([, re]) => re.test(text)).map(([what]) => what);
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with the path exactly as given (fetch would resolve ../ and %2e%2e). */
export function rawRequest(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** Bytes on a socket, for requests no HTTP client sends; the status line's code and the rest. */
export function rawBytes(port: number, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, headers: {}, body: text.split('\r\n\r\n').slice(1).join('\r\n\r\n') });
    });
    socket.setTimeout(5000, () => socket.destroy());
    socket.end(bytes);
  });
}
