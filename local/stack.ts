/**
 * The embedded stack: the same workflows, handlers and table as on AWS, on one machine.
 *   DynamoDB API  dynalite            (data on disk under dataDir, or in memory)
 *                 or AWS's DynamoDB Local (Java) with NIMITYS_DYNAMODB=dynamodb-local
 *   SES API       aws-ses-v2-local    (with its mail viewer)
 *   Step Functions API  local/sfn on aws-local-stepfunctions, running the synthesized ASL
 *   HTTP API      local/http-bridge, API Gateway v2 events for the same handlers
 * With stateDir, executions (local/sfn/journal.ts) and accepted mail survive a restart,
 * even a kill: the unfinished executions go on from where they were.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import sesLocal from 'aws-ses-v2-local';
import { roundsIndexKey } from '../functions/adapters/dynamo-store.ts';
import { ADMIN_ENV } from '../functions/admin/config.ts';
import { hashToken } from '../functions/domain/link-token.ts';
import type { StoredRound } from '../functions/domain/ports.ts';
import { ENV } from '../functions/shared/env.ts';
import { applyLocalLogLevel } from '../functions/shared/logger.ts';
import { PROJECT_ROOT } from '../infra/paths.ts';
import { ensureLocalAdmin, type LocalAdmin } from './admin-credential.ts';
import { type DynamoBackend, dynamoBackendFromEnv, startDynamoDBLocal } from './dynamodb-local.ts';
import {
  DEFAULT_PORTS,
  LOCAL_MAIL_SENDER,
  LOCAL_REGION,
  localUrls,
  type Ports,
  sdkEnvironment,
} from './endpoints.ts';
import { ForegroundFirst } from './foreground-first.ts';
import { freePort } from './free-port.ts';
import { HandlerThreadPool } from './handler-thread.ts';
import { startHttpBridge } from './http-bridge.ts';
import { LocalLambdaRuntime } from './lambda-runtime.ts';
import { ensureLocalLinkSecret } from './link-secret.ts';
import { persistSesMail } from './ses-store.ts';
import { LocalStepFunctions, type RestoreSummary } from './sfn/engine.ts';
import { startStepFunctionsServer } from './sfn/server.ts';
import type { LocalApp, SynthOptions } from './template.ts';

/** aws-ses-v2-local is CommonJS with `exports.default`: Node and vitest interop it differently. */
type StartSesServer = (config: { host: string; port: number }) => Promise<Server>;
export const startSesServer = (
  typeof sesLocal === 'function' ? sesLocal : (sesLocal as unknown as { default: StartSesServer }).default
) as StartSesServer;

export interface EmbeddedStackOptions {
  /** 0 picks a free port. Defaults: DynamoDB 8000, SES 8005, Step Functions 8083, HTTP 3000. */
  ports?: Partial<Ports>;
  /** Folder for the DynamoDB data; omitted = in memory. */
  dataDir?: string;
  /** Which DynamoDB emulator; default from NIMITYS_DYNAMODB, else dynalite (see dynamodb-local.ts). */
  dynamodb?: DynamoBackend;
  mailSender?: string;
  /** Where the local admin credential is kept (made on first start); omitted = in memory. */
  adminCredentialFile?: string;
  /**
   * Folder that keeps the Step Functions executions (executions.jsonl) and the mail SES
   * accepted (mail.jsonl) across restarts, and the synthesized app while its sources stay
   * the same (synth-cache.json); omitted = in memory.
   */
  stateDir?: string;
  /** Where the link-token pepper is kept (made on first start); omitted = a fresh one in memory. */
  linkSecretFile?: string;
  /** Link-page requests per client address per minute; default 0 = no limit (tests, benchmarks). */
  linkRateLimitPerMinute?: number;
  /**
   * Tests: where the handlers' SDK clients connect instead of the emulators, e.g. a fault
   * proxy in front of SES or DynamoDB (test/support/fault-proxy.ts). The stack itself
   * (table setup) still talks to the emulators directly.
   */
  endpointOverrides?: Partial<Record<'dynamodb' | 'ses' | 'sfn', string>>;
  /**
   * Benchmarks: module URLs each of the routes' functions threads (handler-thread.ts) imports
   * before the functions, to hook them there as this thread's hooks cannot.
   */
  routeThreadPreload?: string[];
}

export interface EmbeddedStack {
  ports: Ports;
  urls: ReturnType<typeof localUrls>;
  app: LocalApp;
  stepFunctions: LocalStepFunctions;
  stateMachineArns: { round: string; nomination: string };
  /** SDK settings pointing at this stack (also applied to this process). */
  environment: Record<string, string>;
  /** The local admin sign-in (the admin console at urls.http + /admin). */
  admin: LocalAdmin;
  /** The table's key of a link token (HMAC under this stack's pepper), for tests that look links up. */
  linkTokenHash(token: string): string;
  /** People's requests (the HTTP bridge) before workflow tasks: see ForegroundFirst. */
  peopleFirst: ForegroundFirst;
  /** What was brought back from stateDir; mails: how many the SES store reloaded. */
  restored: RestoreSummary & { mails: number };
  /**
   * A clean stop: no new requests; those in progress, and the task functions running,
   * finish (each bounded); with stateDir the next start goes on from there.
   */
  stop(): Promise<void>;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/**
 * dynalite on a worker thread (dynalite-worker.mjs): on this two-core machine the table's
 * work runs beside the handlers, the Step Functions engine and the SES emulator instead of
 * on their one JavaScript thread. It listens on the port as before; `stop` closes it (and
 * its on-disk store) and ends the thread.
 */
function startDynaliteWorker(options: { path?: string; port: number }): Promise<{ stop(): Promise<void> }> {
  const worker = new Worker(new URL('./dynalite-worker.mjs', import.meta.url), { workerData: options });
  const stop = () =>
    new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.once('message', (message) => {
        if (message === 'closed') void worker.terminate();
      });
      worker.postMessage('close');
    });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: { port?: number; error?: string }) => {
      if (message.error !== undefined) {
        void worker.terminate();
        reject(new Error(`dynalite: ${message.error}`));
      } else resolve({ stop });
    });
  });
}

/** `cdk synth` in a child process (see synth-app.ts): the same template, a smaller stack. */
function synthesizeInChild(options: SynthOptions): Promise<LocalApp> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'local/synth-app.ts', options.apiBaseUrl, JSON.stringify(options.context ?? {})],
      { cwd: PROJECT_ROOT, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`CDK synth failed: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout) as LocalApp);
      },
    );
  });
}

/**
 * How long a workflow task waits for the people's requests being answered before it may
 * start anyway (ForegroundFirst; then at most a few at a time while the load lasts). Long
 * enough for a burst of officials to be answered before their submits' workflow work starts
 * on the same cores: 10 officials submitting 156 links take 1.0–1.6 s here. Measured with
 * `npm run bench` on this 2-core host, whose figures vary by a third from run to run: with
 * 1 s the burst outlasted it and its POST p99 was 1.9–5.3 times the reference GET's; with
 * 2 s 2.0–3.8; with 5 s 2.6–2.8, but the national round, whose officials keep the pages busy,
 * took 53–56 s against 43–54 s with 2 s (target 60 s). Not noticed by anyone: under load the
 * next mail is at most two seconds late.
 */
export const WORKFLOW_TASK_MAX_DELAY_MS = 2000;

/**
 * Threads for the HTTP routes' functions (HandlerThreadPool): two warm containers, as Lambda
 * would run concurrent link pages in concurrent containers. Measured with `npm run bench --
 * links`, 4 runs each, alternated, on this 2-core host: with one thread the link page's GET
 * at 10 clients did 621–665 requests/s (1.10–1.19× the reference), at 50 clients p99
 * 117–121 ms, counted POST p99 62–75 ms, sustained POST p99 68–88 ms; with two, 737–793
 * requests/s (1.32–1.38×), 93–101 ms, 55–71 ms, 61–73 ms: when one thread is busy (a long
 * task, a scavenge), the other answers. The national round took 40.0–40.2 s against 37.4–38.0
 * s, peak RSS +27 MiB (one more isolate). An earlier arrangement of the stack measured two
 * threads worse than one: measure again when the threads' work moves.
 */
export const ROUTE_THREADS = 2;

/**
 * How many workflow tasks run at once (ForegroundFirst): four while people are being
 * answered; one in the 100 ms after an answer, when the next page may be on its way; sixteen
 * when nobody is, so that someone arriving after a burst finds sixteen tasks' work in the way
 * rather than the whole backlog's. The grace costs the national round some seconds (40 s
 * without it, 43–54 s with it, one run each beside the other on this noisy host); without it
 * the backlog started in every gap between pages and the POSTs' p99 was 3.3–3.9 times the
 * reference GET's (burst and sustained, two runs), with it 2.0–3.3 in runs of the same hour.
 */
const WORKFLOW_TASK_LIMITS = { underLoad: 4, betweenAnswers: 1, atOnce: 16, graceMs: 100 } as const;

/** What the synthesized app depends on: a change to any of these files synthesizes anew. */
const SYNTH_INPUTS = [
  'infra',
  'workflows',
  'functions',
  'local/template.ts',
  'local/synth-app.ts',
  'local/endpoints.ts',
  'package-lock.json',
  'cdk.json',
  'tsconfig.json',
];

function synthKey(options: SynthOptions): string {
  const hash = createHash('sha256').update(JSON.stringify(options));
  for (const [name, value] of Object.entries(process.env).sort()) {
    if (/^(NIMITYS_|CDK_)/.test(name)) hash.update(`${name}=${value}\n`);
  }
  const visit = (relative: string) => {
    const full = path.join(PROJECT_ROOT, relative);
    const stat = statSync(full, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const name of readdirSync(full).sort()) visit(path.join(relative, name));
    else hash.update(`${relative}\0${stat.size}\0${stat.mtimeMs}\n`);
  };
  for (const input of SYNTH_INPUTS) visit(input);
  return hash.digest('hex');
}

/**
 * The synthesized app, kept in `cacheFile` (with stateDir) and reused while none of its
 * sources changed: a restart of `npm start` skips the slowest part of starting.
 */
async function synthesize(options: SynthOptions, cacheFile: string | undefined): Promise<LocalApp> {
  if (!cacheFile) return synthesizeInChild(options);
  const key = synthKey(options);
  try {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8')) as { key?: string; app?: LocalApp };
    if (cached.key === key && cached.app) return cached.app;
  } catch {
    // no cache yet, or an unreadable one: synthesize
  }
  const app = await synthesizeInChild(options);
  writeFileSync(cacheFile, JSON.stringify({ key, app }));
  return app;
}

export async function ensureTable(app: LocalApp, endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: app.table.name,
        KeySchema: app.table.keySchema as never,
        AttributeDefinitions: app.table.attributeDefinitions as never,
        BillingMode: 'PAY_PER_REQUEST',
        // The template's indexes (keys and projection only: capacity is on demand).
        GlobalSecondaryIndexes: app.table.globalSecondaryIndexes?.length
          ? (app.table.globalSecondaryIndexes as Array<Record<string, unknown>>).map((index) => ({
              IndexName: index.IndexName,
              KeySchema: index.KeySchema,
              Projection: index.Projection,
            }))
          : undefined,
      } as never),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    await migrateToTemplateIndexes(client, app, endpoint);
  } finally {
    client.destroy();
  }
}

/**
 * A table kept in .nimitys/ from before an index was added to the template lacks that
 * index, and dynalite ignores UpdateTable's index creation: copy the items out, make the
 * table anew from the template, and put them back (round items get their index keys).
 * Local data only; a few thousand items at most.
 */
async function migrateToTemplateIndexes(
  client: DynamoDBClient,
  app: LocalApp,
  endpoint: string,
): Promise<void> {
  const wanted = (app.table.globalSecondaryIndexes ?? []) as Array<{ IndexName?: string }>;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: app.table.name }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  if (wanted.every((index) => existing.has(index.IndexName))) return;
  const db = DynamoDBDocumentClient.from(client);
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: app.table.name, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await client.send(new DeleteTableCommand({ TableName: app.table.name }));
  await ensureTable(app, endpoint);
  for (const item of items) {
    if (item.kind === 'round' && !item.gsi1pk)
      Object.assign(item, roundsIndexKey(item as unknown as StoredRound));
    await db.send(new PutCommand({ TableName: app.table.name, Item: item }));
  }
}

export async function startEmbeddedStack(options: EmbeddedStackOptions = {}): Promise<EmbeddedStack> {
  applyLocalLogLevel();
  const wanted = { ...DEFAULT_PORTS, ...options.ports };
  const ports: Ports = {
    dynamodb: wanted.dynamodb || (await freePort()),
    ses: wanted.ses || (await freePort()),
    sfn: wanted.sfn || (await freePort()),
    http: wanted.http || (await freePort()),
  };
  const urls = localUrls(ports);
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => undefined);
  };

  try {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    if ((options.dynamodb ?? dynamoBackendFromEnv()) === 'dynamodb-local') {
      // Port 0: the JVM binds a free port itself (it starts for seconds; a port chosen up front
      // could be taken meanwhile).
      const dynamo = await startDynamoDBLocal({ port: wanted.dynamodb, dataDir: options.dataDir });
      stoppers.push(() => dynamo.stop());
      Object.assign(ports, { dynamodb: dynamo.port });
      urls.dynamodb = dynamo.endpoint;
    } else {
      const dynamo = await startDynaliteWorker({ path: options.dataDir, port: ports.dynamodb });
      stoppers.push(() => dynamo.stop());
    }

    let mails = 0;
    if (options.stateDir) {
      const mailStore = persistSesMail(path.join(options.stateDir, 'mail.jsonl'));
      mails = mailStore.loaded;
      stoppers.push(async () => mailStore.close());
    }
    const ses = await startSesServer({ host: '127.0.0.1', port: ports.ses });
    stoppers.push(() => closeServer(ses));

    if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
    const app = await synthesize(
      { apiBaseUrl: urls.http, context: { mailSender: options.mailSender ?? LOCAL_MAIL_SENDER } },
      options.stateDir && path.join(options.stateDir, 'synth-cache.json'),
    );
    await ensureTable(app, urls.dynamodb);

    // Handlers read their settings and build their SDK clients from process.env on first
    // use, exactly as in a Lambda container: set everything before the first import.
    const environment: Record<string, string> = { ...sdkEnvironment(ports) };
    const overrides = options.endpointOverrides ?? {};
    if (overrides.dynamodb) environment.AWS_ENDPOINT_URL_DYNAMODB = overrides.dynamodb;
    if (overrides.ses) environment.AWS_ENDPOINT_URL_SES = environment.AWS_ENDPOINT_URL_SESV2 = overrides.ses;
    if (overrides.sfn) environment.AWS_ENDPOINT_URL_SFN = overrides.sfn;
    for (const fn of app.functions) Object.assign(environment, fn.environment);
    // No JWT authorizer here: the admin console checks the local sign-in's sessions.
    const admin = ensureLocalAdmin(options.adminCredentialFile);
    environment[ADMIN_ENV.authMode] = 'local';
    environment[ADMIN_ENV.localCredential] = JSON.stringify(admin.credential);
    // The pepper is given as a value here (Secrets Manager on AWS); one per stack, shared by every handler.
    const linkSecret = ensureLocalLinkSecret(options.linkSecretFile);
    environment[ENV.linkSecretValue] = JSON.stringify(linkSecret);
    environment[ENV.linkRateLimitPerMinute] = String(options.linkRateLimitPerMinute ?? 0);
    Object.assign(process.env, environment);

    // The routes' functions run on threads of their own (handler-thread.ts), the workflow's
    // here: each side imports only its own functions, all at once.
    const routed = new Set(app.routes.map((route) => route.functionArn));
    const routeThreads = HandlerThreadPool.start(
      app.functions.filter((fn) => routed.has(fn.arn)),
      ROUTE_THREADS,
      options.routeThreadPreload,
    );
    routeThreads.catch(() => undefined); // a failed start is thrown where it is awaited, below
    stoppers.push(async () => (await routeThreads.catch(() => undefined))?.stop());
    const runtime = new LocalLambdaRuntime(app.functions.filter((fn) => !routed.has(fn.arn)));
    await runtime.warm();

    const peopleFirst = new ForegroundFirst(WORKFLOW_TASK_MAX_DELAY_MS, WORKFLOW_TASK_LIMITS);
    const stepFunctions = new LocalStepFunctions({
      invokeLambda: (arn, payload) => peopleFirst.background(() => runtime.invoke(arn, payload)),
      region: LOCAL_REGION,
      journalFile: options.stateDir && path.join(options.stateDir, 'executions.jsonl'),
    });
    stoppers.push(async () => stepFunctions.close());
    for (const machine of app.stateMachines) {
      await stepFunctions.createStateMachine({ name: machine.name, definition: machine.definition });
    }
    // Up before the replay: a replayed task function may call the Step Functions API.
    const sfnServer = await startStepFunctionsServer({ service: stepFunctions, port: ports.sfn });
    stoppers.push(() => sfnServer.close());
    const restored = await stepFunctions.restore();
    // Stopping: the links first, then the tasks still running (they may call the API).
    stoppers.push(() => stepFunctions.drain());

    const routeFunctions = await routeThreads;
    const http = await startHttpBridge({
      routes: app.routes,
      invoke: (arn, event) => peopleFirst.foreground(() => routeFunctions.invoke(arn, event)),
      port: ports.http,
    });
    stoppers.push(() => http.close());

    const arnOf = (suffix: string) => {
      const machine = app.stateMachines.find((m) => m.name.endsWith(suffix));
      if (!machine) throw new Error(`No ${suffix} state machine in the CDK app`);
      return machine.arn;
    };
    return {
      ports,
      urls,
      app,
      stepFunctions,
      stateMachineArns: { round: arnOf('Round'), nomination: arnOf('Nomination') },
      environment,
      admin,
      restored: { ...restored, mails },
      linkTokenHash: (token) => hashToken(token, linkSecret.current),
      peopleFirst,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
