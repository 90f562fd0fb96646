/**
 * Link pages under load, beside a reference: a bare node:http server on the same embedded
 * DynamoDB doing only the reads a link page needs (the link, the round, the nomination).
 * The same server also answers a POST with only the requests a submit makes: the POSTs'
 * floor, as the GET reference is the pages' (what the requests cost without the glue).
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import autocannon from 'autocannon';
import { dynamoClient, sfnClient } from '../functions/adapters/clients.ts';
import { keys } from '../functions/adapters/dynamo-store.ts';
import type { LinkTarget } from '../functions/domain/ports.ts';
import { isOfficialStep } from '../functions/domain/types.ts';
import { createClients } from '../local/client.ts';
import { escapeRegExp, hiddenFields, nomineeFields } from '../local/officials.ts';
import { SesStore } from '../local/ses-store.ts';
import { startEmbeddedStack, WORKFLOW_TASK_MAX_DELAY_MS } from '../local/stack.ts';
import { nationalRoundFiles } from './national.ts';

const GET_SECONDS = 10;
/**
 * 10-second windows per server and load, alternated (page, reference, page, reference):
 * this host has slow moments of several seconds, and with one window each, one of them
 * falling on one side alone moved the throughput ratio by a quarter from run to run.
 */
const GET_WINDOWS = 2;
/** Load on both servers before any measurement: JIT, SDK and emulator warm alike. */
const WARM_UP_SECONDS = 3;
const POST_CONCURRENCY = 10;
/**
 * POSTs before the counted loop, in the same loop, not counted: the submit's own code
 * (form parsing, the conditional writes, the Step Functions client) runs only here, and V8
 * optimises it only after some hundreds of runs. Measured: 8.9 ms of the main thread per
 * POST cold, 6.3 ms after 200. The GETs get their warm-up the same way (WARM_UP_SECONDS,
 * some 2,000 requests). Then the workflow work they set off is let finish, so that the
 * counted loop starts from a quiet stack, as each GET window does.
 */
const WARM_UP_POSTS = 150;
/** Counted POSTs in each counted loop, from a settled stack (the target's figure). */
const COUNTED_POSTS = 156;
/**
 * Counted loops, each from a settled stack, their times pooled: the p99 of 156 POSTs is the
 * second slowest, which one slow moment of this host (a scavenge, a neighbour) sets alone;
 * of 312 it is the fourth. Alternated runs had the one loop's POST p99 at 1.6–4.3 times the
 * reference GET's; the same loop's p50, 38–45 ms, hardly moved.
 */
const COUNTED_LOOPS = 2;
const RACERS = 50;

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface LinksResult {
  get: Record<'c10' | 'c50', LoadFigures>;
  reference: Record<'c10' | 'c50', LoadFigures>;
  /** Each 10-second window that `get` and `reference` average, in the order run. */
  windows: Record<'page' | 'reference', Record<'c10' | 'c50', LoadFigures[]>>;
  posts: {
    count: number;
    concurrency: number;
    /** POSTs of the same loop before the counted ones (WARM_UP_POSTS). */
    warmUp: number;
    /** How long each counted loop took (COUNTED_LOOPS, each from a settled stack). */
    loopSeconds: number[];
    /** Each counted POST's time, loop by loop in the order they ended, to see where the slow ones fall. */
    timesMs: number[];
    p50Ms: number;
    p99Ms: number;
    failures: number;
    /**
     * How long the stack held workflow tasks back for people (WORKFLOW_TASK_MAX_DELAY_MS):
     * the counted POSTs end within it, so they measure the pages with no workflow work running.
     */
    workflowHoldBackMs: number;
    /**
     * Then the rest of the links (306) POSTed straight on after the last counted loop: load that
     * lasts longer than workflow work is held back (local/foreground-first.ts), so that the
     * workflow work of every submit comes due meanwhile, on the same two cores.
     */
    sustained: {
      count: number;
      seconds: number;
      timesMs: number[];
      p50Ms: number;
      p99Ms: number;
      failures: number;
    };
    /**
     * The floor: a third national set's links submitted to the reference server, which makes
     * a submit's requests and nothing else, in the same loop (each link's reference GET, then
     * its POST), after as many uncounted ones and a settled stack, as the counted POSTs.
     */
    floor: {
      count: number;
      warmUp: number;
      loopSeconds: number[];
      timesMs: number[];
      p50Ms: number;
      p99Ms: number;
      failures: number;
    };
  };
  race: { racers: number; accepted: number; refusedAsUsed: number; other: number };
  targets: { getThroughputRatio: number; getP99Ratio: number; postP99VsReferenceGetP99: number };
}

function load(url: string, connections: number, duration = GET_SECONDS): Promise<LoadFigures> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration }, (error, result) => {
      if (error) return reject(error);
      resolve({
        requestsPerSecond: result.requests.average,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        errors: result.errors,
        non2xx: result.non2xx,
      });
    });
  });
}

/**
 * The floor for a link page: GET makes three consistent reads and answers a little HTML
 * (with where the link acts, as the page's forms carry it);
 * POST makes a submit's requests (submitBare). A POST is served as people are (`asPerson`):
 * the workflow work it sets off waits for the people being answered, as the pages' does.
 */
async function startReference(
  tableName: string,
  linkTokenHash: (token: string) => string,
  asPerson: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<{ url: string; server: Server }> {
  const db = dynamoClient();
  const server = createServer(async (req, res) => {
    const token = (req.url ?? '').split('/').pop() ?? '';
    if (req.method === 'POST') {
      let form = '';
      for await (const chunk of req) form += chunk;
      // Only where the link acts is looked at, as the page reads it with the link.
      const [roundId = '', municipalityId = '', step = ''] = (
        new URLSearchParams(form).get('target') ?? ''
      ).split('/');
      const done =
        isOfficialStep(step) &&
        (await asPerson(() =>
          submitBare(tableName, linkTokenHash(token), { roundId, municipalityId, step }),
        ).catch(() => false));
      res.writeHead(done ? 200 : 409, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>${done ? 'ok' : 'conflict'}</title>`);
      return;
    }
    const link = (
      await db.send(
        new GetCommand({ TableName: tableName, Key: keys.link(linkTokenHash(token)), ConsistentRead: true }),
      )
    ).Item;
    const [round, nomination] = await Promise.all([
      db.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.round(String(link?.roundId)),
          ConsistentRead: true,
        }),
      ),
      db.send(
        new GetCommand({
          TableName: tableName,
          Key: keys.nomination(String(link?.roundId), String(link?.municipalityId)),
          ConsistentRead: true,
        }),
      ),
    ]);
    res.writeHead(link && round.Item && nomination.Item ? 200 : 404, {
      'content-type': 'text/html; charset=utf-8',
    });
    // Where the link acts, as the link page's forms carry it, for the submit that follows.
    const target = `${link?.roundId}/${link?.municipalityId}/${link?.step}`;
    res.end(
      `<!doctype html><title>${String(nomination.Item?.status)}</title><input type="hidden" name="target" value="${target}">`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * A proposal submitted with only the requests the link page's submit makes, in its order:
 * the link, the nomination and the step's wait where the form says the link acts (one
 * consistent BatchGetItem); the claim (conditional UpdateItem); the nomination saved
 * (conditional PutItem); its audit entry (BatchWriteItem); the waiting workflow resumed
 * (SendTaskSuccess). The nomination is saved as the page saves it, so that the workflow goes
 * on as after a real submit.
 */
async function submitBare(tableName: string, tokenHash: string, target: LinkTarget): Promise<boolean> {
  const db = dynamoClient();
  const linkKey = keys.link(tokenHash);
  const nominationKey = keys.nomination(target.roundId, target.municipalityId);
  const waitKey = keys.wait(target.roundId, target.municipalityId, target.step);
  const read = await db.send(
    new BatchGetCommand({
      RequestItems: { [tableName]: { Keys: [linkKey, nominationKey, waitKey], ConsistentRead: true } },
    }),
  );
  const items = read.Responses?.[tableName] ?? [];
  const link = items.find((item) => item.pk === linkKey.pk);
  const nomination = items.find((item) => item.sk === nominationKey.sk);
  const wait = items.find((item) => item.sk === waitKey.sk);
  const actsThere =
    link?.roundId === target.roundId &&
    link.municipalityId === target.municipalityId &&
    link.step === target.step;
  if (!actsThere || !nomination || !wait) return false;
  const at = new Date().toISOString();
  await db.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.link(tokenHash),
      UpdateExpression: 'SET #status = :used, usedAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND #status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':used': 'used', ':open': 'open', ':at': at },
      ReturnValues: 'ALL_NEW',
    }),
  );
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...nomination,
        status: 'awaiting_approval',
        version: nomination.version + 1,
        updatedAt: at,
        proposal: { nominees: [NOMINEE], text: 'Ehdotus', submittedAt: at, submittedBy: link.recipientEmail },
      },
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': nomination.version },
    }),
  );
  const audit = { ...keys.audit(link.roundId, link.municipalityId, at, randomUUID()), kind: 'audit', at };
  await db.send(
    new BatchWriteCommand({
      RequestItems: {
        [tableName]: [
          { PutRequest: { Item: { ...audit, actor: link.recipientEmail, action: 'proposal-submitted' } } },
        ],
      },
    }),
  );
  await sfnClient().send(
    new SendTaskSuccessCommand({
      taskToken: wait.taskToken,
      output: JSON.stringify({ step: 'proposal', outcome: 'submitted' }),
    }),
  );
  return true;
}

/** The windows' figures averaged: requests/s and each percentile (errors summed). */
function meanOf(windows: LoadFigures[]): LoadFigures {
  const mean = (pick: (f: LoadFigures) => number) =>
    windows.reduce((sum, f) => sum + pick(f), 0) / Math.max(1, windows.length);
  return {
    requestsPerSecond: mean((f) => f.requestsPerSecond),
    p50Ms: mean((f) => f.p50Ms),
    p99Ms: mean((f) => f.p99Ms),
    errors: windows.reduce((sum, f) => sum + f.errors, 0),
    non2xx: windows.reduce((sum, f) => sum + f.non2xx, 0),
  };
}

const tenths = (ms: number) => Math.round(ms * 10) / 10;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** The one nominee each benchmark official proposes. */
const NOMINEE = { name: 'Aino Virtanen', title: 'koordinaattori', email: 'nominee@bench.example' };

/** A link page's proposal form filled in with one nominee, as a POST body. */
function proposalForm(page: string, name = NOMINEE.name): string {
  return new URLSearchParams({
    ...hiddenFields(page),
    ...nomineeFields([{ ...NOMINEE, name }]),
    text: '',
  }).toString();
}

/** A loop's POST times in the order they ended, their p50 and p99, and how many failed. */
function figuresOf(run: { times: number[]; failures: number }) {
  return {
    timesMs: run.times.map(tenths),
    p50Ms: percentile(run.times, 50),
    p99Ms: percentile(run.times, 99),
    failures: run.failures,
  };
}

/**
 * The officials' HTTP client: node:http on kept-alive connections, like autocannon for the
 * GETs, so that the load generator takes about as little of the shared thread on both sides.
 */
const officials = new Agent({ keepAlive: true, maxSockets: POST_CONCURRENCY });

function send(url: string, method: 'GET' | 'POST', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = body
      ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) }
      : {};
    const req = request(url, { method, agent: officials, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs a form and reads the whole answer; its status. */
async function postForm(url: string, body: string): Promise<number> {
  return (await send(url, 'POST', body)).status;
}

/**
 * Each link opened and its proposal form POSTed, by POST_CONCURRENCY officials at once in
 * one closed loop; the times of the POSTs (not of the GETs before them).
 */
async function postEach(urls: string[]): Promise<{ times: number[]; failures: number }> {
  const times: number[] = [];
  let failures = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: POST_CONCURRENCY }, async () => {
      for (let index = next++; index < urls.length; index = next++) {
        const url = urls[index] as string;
        const body = proposalForm((await send(url, 'GET')).text);
        const started = performance.now();
        const status = await postForm(url, body);
        times.push(performance.now() - started);
        if (status !== 200) failures++;
      }
    }),
  );
  return { times, failures };
}

/**
 * Waits until the workflow has settled: no workflow task running or waiting for its turn,
 * and no new mail in the SES store, for `quietMs`. Only the mails since `sinceSeconds` are
 * fetched: the store sends each mail whole, and the polling shares the thread with the work
 * it waits for.
 */
async function settled(
  ses: SesStore,
  sinceSeconds: number,
  workflowTasks: () => number,
  quietMs = 1000,
  maxMs = 60_000,
): Promise<void> {
  const until = Date.now() + maxMs;
  let count = -1;
  let quietSince = Date.now();
  while (Date.now() < until) {
    const now = (await ses.mailsSince(sinceSeconds)).length;
    if (now !== count || workflowTasks() > 0) [count, quietSince] = [now, Date.now()];
    else if (Date.now() - quietSince >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the workflow did not settle in ${maxMs / 1000} s`);
}

export async function runLinkLoad(progress: (line: string) => void): Promise<LinksResult> {
  process.env.NIMITYS_LOG_LEVEL = 'silent';
  const stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
  const clients = createClients();
  const ses = new SesStore(stack.urls.ses);
  const reference = { server: undefined as Server | undefined };
  try {
    // Every organiser's round of the national bench, four times (88 rounds, 1,232 links):
    // each municipality waits for a proposal, one link each. One link for the GETs, one for
    // the race, WARM_UP_POSTS to warm the submit up and COUNTED_LOOPS × COUNTED_POSTS
    // counted, as many again for the floor, and the rest (306) for the sustained load.
    const tag = Date.now().toString(36);
    const files = ['a', 'b', 'c', 'd'].flatMap((set) => nationalRoundFiles(`links${tag}${set}`));
    for (const f of files) await clients.startRound(f.text);
    const wanted = files.reduce((n, f) => n + f.municipalityIds.length, 0);
    const pattern = new RegExp(`${escapeRegExp(stack.urls.http)}/l/[A-Za-z0-9_-]+`);
    let links: string[] = [];
    for (let i = 0; i < 300 && links.length < wanted; i++) {
      links = (await ses.mailsSince(0)).flatMap((m) => pattern.exec(m.text)?.[0] ?? []);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (links.length < wanted) throw new Error(`only ${links.length} of ${wanted} links mailed`);
    // The rounds' own workflow work done before the first measurement, as before the POSTs.
    const workflowTasks = () => stack.peopleFirst.pending;
    await settled(ses, 0, workflowTasks);
    const [pageUrl = '', raceUrl = '', ...postUrls] = links;
    const perServer = WARM_UP_POSTS + COUNTED_LOOPS * COUNTED_POSTS;
    const pageUrls = postUrls.slice(0, perServer);
    const sustainedUrls = postUrls.slice(perServer, -perServer);
    const floorUrls = postUrls.slice(-perServer);
    /**
     * WARM_UP_POSTS of `urls` uncounted, then COUNTED_LOOPS loops of COUNTED_POSTS counted,
     * each after the workflow work set off before it has finished: every counted loop runs
     * warm, from a quiet stack. The loops' times pooled.
     */
    const warmThenCount = async (urls: string[], what: string) => {
      progress(`links: ${WARM_UP_POSTS} ${what} to warm up, then the workflow let settle`);
      let since = Date.now() / 1000;
      const warmUp = await postEach(urls.slice(0, WARM_UP_POSTS));
      if (warmUp.failures > 0) throw new Error(`${warmUp.failures} of the warm-up ${what} failed`);
      const loops: Array<{ times: number[]; failures: number; seconds: number }> = [];
      for (let loop = 0; loop < COUNTED_LOOPS; loop++) {
        await settled(ses, since, workflowTasks);
        progress(`links: ${COUNTED_POSTS} ${what}, counted (loop ${loop + 1} of ${COUNTED_LOOPS})`);
        since = Date.now() / 1000;
        const from = WARM_UP_POSTS + loop * COUNTED_POSTS;
        const started = performance.now();
        const counted = await postEach(urls.slice(from, from + COUNTED_POSTS));
        loops.push({ ...counted, seconds: (performance.now() - started) / 1000 });
      }
      return {
        times: loops.flatMap((loop) => loop.times),
        failures: loops.reduce((sum, loop) => sum + loop.failures, 0),
        loopSeconds: loops.map((loop) => loop.seconds),
      };
    };

    const ref = await startReference('nimitys', stack.linkTokenHash, (work) =>
      stack.peopleFirst.foreground(work),
    );
    reference.server = ref.server;
    const refUrl = `${ref.url}/l/${pageUrl.split('/').pop()}`;
    // Both warmed up, then measured in turns (page, reference, page, reference), so that
    // neither gets the cold start nor the other's leftovers alone.
    progress('links: warming up the link page and the reference');
    await load(pageUrl, 10, WARM_UP_SECONDS);
    await load(refUrl, 10, WARM_UP_SECONDS);
    const windows = { page: { c10: [], c50: [] }, reference: { c10: [], c50: [] } } as Record<
      'page' | 'reference',
      Record<'c10' | 'c50', LoadFigures[]>
    >;
    for (const clients of [10, 50] as const) {
      const key = clients === 10 ? 'c10' : 'c50';
      for (let w = 1; w <= GET_WINDOWS; w++) {
        progress(`links: GET at ${clients} clients, window ${w} of ${GET_WINDOWS}`);
        windows.page[key].push(await load(pageUrl, clients));
        progress(`links: reference GET at ${clients} clients, window ${w} of ${GET_WINDOWS}`);
        windows.reference[key].push(await load(refUrl, clients));
      }
    }
    const get = { c10: meanOf(windows.page.c10), c50: meanOf(windows.page.c50) };
    const refFigures = { c10: meanOf(windows.reference.c10), c50: meanOf(windows.reference.c50) };

    const posts = await warmThenCount(pageUrls, 'POSTs of distinct links');
    progress(`links: ${sustainedUrls.length} POSTs more, straight on (sustained load)`);
    const sustainedMailSince = Date.now() / 1000;
    const sustainedStarted = performance.now();
    const sustained = await postEach(sustainedUrls);
    const sustainedSeconds = (performance.now() - sustainedStarted) / 1000;

    // The floor: the same loop on the reference server (its GET, then a submit's requests
    // alone), warmed up and from a settled stack as the counted POSTs were.
    await settled(ses, sustainedMailSince, workflowTasks);
    const onReference = (url: string) => `${ref.url}/l/${url.split('/').pop()}`;
    const floor = await warmThenCount(floorUrls.map(onReference), 'submits to the reference server');

    progress('links: 50 POSTs of one link racing');
    const raceBody = proposalForm((await send(raceUrl, 'GET')).text, 'Eino Korhonen');
    const statuses = await Promise.all(Array.from({ length: RACERS }, () => postForm(raceUrl, raceBody)));

    const counted = figuresOf(posts);
    return {
      get,
      reference: refFigures,
      windows,
      posts: {
        count: posts.times.length,
        concurrency: POST_CONCURRENCY,
        warmUp: WARM_UP_POSTS,
        workflowHoldBackMs: WORKFLOW_TASK_MAX_DELAY_MS,
        loopSeconds: posts.loopSeconds,
        ...counted,
        sustained: { count: sustained.times.length, seconds: sustainedSeconds, ...figuresOf(sustained) },
        floor: {
          count: floor.times.length,
          warmUp: WARM_UP_POSTS,
          loopSeconds: floor.loopSeconds,
          ...figuresOf(floor),
        },
      },
      race: {
        racers: RACERS,
        accepted: statuses.filter((s) => s === 200).length,
        refusedAsUsed: statuses.filter((s) => s === 410).length,
        other: statuses.filter((s) => s !== 200 && s !== 410).length,
      },
      targets: {
        getThroughputRatio: get.c10.requestsPerSecond / refFigures.c10.requestsPerSecond,
        getP99Ratio: get.c10.p99Ms / refFigures.c10.p99Ms,
        postP99VsReferenceGetP99: counted.p99Ms / refFigures.c10.p99Ms,
      },
    };
  } finally {
    reference.server?.close();
    reference.server?.closeAllConnections();
    officials.destroy();
    clients.close();
    await stack.stop();
  }
}
