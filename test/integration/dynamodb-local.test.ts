/**
 * AWS's DynamoDB Local as the second DynamoDB backend (local/dynamodb-local.ts): it listens
 * on 127.0.0.1 only and never outlives the process that started it; and the store's link
 * claim gives the same answers on both emulators, though they fail a condition differently
 * (DynamoDB returns the item the condition saw, dynalite does not).
 * Skipped, loudly, where there is no Java.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoNominationStore, ROUNDS_INDEX } from '../../functions/adapters/dynamo-store.ts';
import { LinkNotUsableError, NotFoundError } from '../../functions/domain/errors.ts';
import type { Link } from '../../functions/domain/ports.ts';
import { PROJECT_ROOT } from '../../infra/paths.ts';
import {
  type DynamoDBLocal,
  dynamoDBLocalUnavailable,
  startDynamoDBLocal,
} from '../../local/dynamodb-local.ts';
import { freePort } from '../../local/free-port.ts';

const unavailable = dynamoDBLocalUnavailable();
if (unavailable) console.warn(`*** SKIPPED: DynamoDB Local tests: ${unavailable} ***`);

/** Local addresses of the sockets listening on a TCP port, read from the kernel's tables. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const addresses: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local?.endsWith(`:${hexPort}`)) continue; // 0A = LISTEN
      addresses.push(local.slice(0, -5));
    }
  }
  return addresses;
}

const LOOPBACK_V4 = '0100007F'; // 127.0.0.1, little-endian
const LOOPBACK_V4_MAPPED = `0000000000000000FFFF0000${LOOPBACK_V4}`; // ::ffff:127.0.0.1

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe.skipIf(unavailable)('DynamoDB Local, started by local/dynamodb-local.ts', () => {
  let local: DynamoDBLocal;

  beforeAll(async () => {
    // Port 0: any free port, bound by the server itself.
    local = await startDynamoDBLocal({ port: 0 });
  });
  afterAll(() => local?.stop());

  it('listens on 127.0.0.1 only, not on any other address of the machine', async () => {
    // act
    const addresses = listeningAddresses(local.port);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a?.address as string);

    // assess
    expect(local.port).toBeGreaterThan(0);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect([LOOPBACK_V4, LOOPBACK_V4_MAPPED]).toContain(address);
    expect(await connects('127.0.0.1', local.port)).toBe(true);
    for (const address of others) expect(await connects(address, local.port), address).toBe(false);
  });

  it('stops when asked, and when the process that started it dies without asking', async () => {
    // prepare: a separate Node process starts one and prints its pid, then is killed outright
    const port = await freePort();
    const script = `
      import { startDynamoDBLocal } from './local/dynamodb-local.ts';
      const local = await startDynamoDBLocal({ port: ${port} });
      console.log('PID ' + local.pid);
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const javaPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /PID (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      parent.once('exit', (code) => reject(new Error(`parent exited ${code}: ${out}`)));
    });
    expect(alive(javaPid)).toBe(true);

    // act
    parent.kill('SIGKILL');
    await local.stop();

    // assess
    expect(await until(() => !alive(javaPid), 15_000)).toBe(true);
    expect(alive(local.pid)).toBe(false);
    expect(listeningAddresses(local.port)).toEqual([]);
  });
});

describe.skipIf(unavailable)('claiming a link on dynalite and on DynamoDB Local', () => {
  const stores: Record<string, DynamoNominationStore> = {};
  /** The commands each store sent, by name. */
  const sent: Record<string, string[]> = {};
  const stoppers: Array<() => Promise<void> | void> = [];

  async function storeOn(backend: string, endpoint: string): Promise<DynamoNominationStore> {
    const client = new DynamoDBClient({
      endpoint,
      region: 'eu-north-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    stoppers.push(() => client.destroy());
    // The table as the store sees it: pk/sk and the byKind index.
    const attribute = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
    await client.send(
      new CreateTableCommand({
        TableName: 'nimitys',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          attribute('pk'),
          attribute('sk'),
          attribute(ROUNDS_INDEX.partitionKey),
          attribute(ROUNDS_INDEX.sortKey),
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: ROUNDS_INDEX.name,
            KeySchema: [
              { AttributeName: ROUNDS_INDEX.partitionKey, KeyType: 'HASH' },
              { AttributeName: ROUNDS_INDEX.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    );
    const db = DynamoDBDocumentClient.from(client);
    const send = db.send.bind(db);
    sent[backend] = [];
    db.send = ((command: object) => {
      sent[backend]?.push(command.constructor.name);
      return send(command as never);
    }) as typeof db.send;
    return new DynamoNominationStore(db, 'nimitys');
  }

  beforeAll(async () => {
    const lite = dynalite({ createTableMs: 0 }) as Server;
    await new Promise<void>((resolve) => lite.listen(0, '127.0.0.1', () => resolve()));
    stoppers.push(() => new Promise<void>((resolve) => lite.close(() => resolve())));
    stores.dynalite = await storeOn('dynalite', `http://127.0.0.1:${(lite.address() as AddressInfo).port}`);

    const local = await startDynamoDBLocal({ port: 0 });
    stoppers.push(() => local.stop());
    stores['dynamodb-local'] = await storeOn('dynamodb-local', local.endpoint);
  });
  afterAll(async () => {
    for (const stop of stoppers.reverse()) await stop();
  });

  const link = (tokenHash: string): Link => ({
    tokenHash,
    roundId: 'r1',
    municipalityId: 'liperi',
    step: 'proposal',
    recipientEmail: 'valmistelija@liperi.example',
    recipientName: 'Riitta Lappalainen',
    status: 'open',
    createdAt: '2024-01-08T08:00:00.000Z',
    expiresAt: '2024-02-08T08:00:00.000Z',
  });

  const outcome = (claim: Promise<unknown>) =>
    claim.then(
      () => 'claimed',
      (error) =>
        error instanceof LinkNotUsableError
          ? error.reason
          : error instanceof NotFoundError
            ? 'not found'
            : `unexpected ${error}`,
    );

  it.each(['dynalite', 'dynamodb-local'])(
    '%s: one of ten concurrent claims wins, the others hear "used"',
    async (backend) => {
      // prepare
      const store = stores[backend] as DynamoNominationStore;
      await store.putLink(link('race'));
      sent[backend] = [];

      // act
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => outcome(store.useLink('race', `2024-01-09T08:00:0${i}.000Z`))),
      );

      // assess
      expect(outcomes.filter((o) => o === 'claimed')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'used')).toHaveLength(9);
      // DynamoDB hands the losers the item their condition saw; dynalite makes them read it.
      expect(sent[backend]?.filter((name) => name === 'GetCommand')).toHaveLength(
        backend === 'dynalite' ? 9 : 0,
      );
      expect((await store.getLink('race'))?.status).toBe('used');
    },
  );

  it.each(['dynalite', 'dynamodb-local'])(
    '%s: a superseded link says so, an unknown one is not found',
    async (backend) => {
      // prepare
      const store = stores[backend] as DynamoNominationStore;
      await store.putLink(link('old'));
      await store.supersedeLink('old');

      // act
      const superseded = await outcome(store.useLink('old', '2024-01-09T08:00:00.000Z'));
      const unknown = await outcome(store.useLink('nobody', '2024-01-09T08:00:00.000Z'));

      // assess
      expect([superseded, unknown]).toEqual(['superseded', 'not found']);
      expect(await store.getLink('nobody')).toBeUndefined();
    },
  );
});

describe.runIf(unavailable)('DynamoDB Local unavailable', () => {
  it('says why, so the skip is visible', () => {
    expect(unavailable).toMatch(/not found|missing/);
  });
});
