/**
 * Overhead over the floor: the Liperi case through the full embedded stack, against the
 * same synthesized ASL on the bare engine whose tasks only replay — through the plain
 * SDK — the DynamoDB and SES requests the full run made, with the same link requests
 * answered by a bare HTTP server that replays what the link handler did. Same process,
 * same inputs, alternating runs, medians. The difference is the project's own glue:
 * HTTP bridge, middleware, serialisation, extra reads, the local Step Functions API.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as ddb from '@aws-sdk/client-dynamodb';
import * as sesv2 from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DynamoNominationStore } from '../functions/adapters/dynamo-store.ts';
import { parseRoundFile } from '../functions/domain/round-file.ts';
import { helsinkiDate } from '../functions/domain/time.ts';
import type { Round } from '../functions/domain/types.ts';
import { PROJECT_ROOT } from '../infra/paths.ts';
import { createClients, shiftRoundDatesToToday } from '../local/client.ts';
import { LOCAL_REGION } from '../local/endpoints.ts';
import { actOnMail, escapeRegExp, LIPERI_NOMINEES } from '../local/officials.ts';
import { LocalStepFunctions } from '../local/sfn/engine.ts';
import { type EmbeddedStack, ensureTable, startEmbeddedStack, startSesServer } from '../local/stack.ts';
import { RoundStates } from '../workflows/states.ts';
import { fromThreads } from './lib/from-threads.ts';
import { Mailbox } from './lib/mailbox.ts';
import {
  type Invocation,
  RECORDED_CHANNEL,
  RECORDING_THREAD,
  recordInvocations,
  type SdkRequest,
} from './lib/recording.ts';

const RUNS = 5;

export interface FloorResult {
  runs: number;
  fullMedianMs: number;
  floorMedianMs: number;
  ratio: number;
  fullMs: number[];
  floorMs: number[];
  replayed: { dynamo: number; ses: number; http: number };
  replayErrors: number;
}

/** Replayed requests that failed, by command and error: conditional writes that lost in the full run lose again. */
export const errorKinds = new Map<string, number>();
let recorder: Invocation[] | undefined;
/** Called after a task that waits for an official has mailed its link. */
let onWaitingTask: (() => void) | undefined;
let hooked = false;

/**
 * Records, per function invocation, the SDK requests the handler makes: the workflow's
 * functions on this thread, the link pages' on the routes' threads (RECORDING_THREAD).
 */
function hookRecording(): void {
  if (hooked) return;
  hooked = true;
  recordInvocations({
    wanted: () => recorder !== undefined,
    started: (entry) => recorder?.push(entry),
    ended: (entry) => {
      if ((entry.payload as { taskToken?: string })?.taskToken) setImmediate(() => onWaitingTask?.());
    },
  });
  fromThreads<Invocation>(RECORDED_CHANNEL, (entry) => recorder?.push(entry));
}

function liperiRoundFile(id: string): string {
  const example = parseYaml(
    readFileSync(path.join(PROJECT_ROOT, 'examples', 'pohjois-karjala-2024.yaml'), 'utf8'),
  ) as Omit<Round, 'groups'> & { groups: Array<{ id: string; name: string; municipalities: string[] }> };
  const shifted = shiftRoundDatesToToday(example, helsinkiDate(new Date()));
  const group = shifted.groups.find((g) => g.municipalities.includes('liperi'));
  return stringifyYaml({
    ...shifted,
    id,
    groups: [{ ...group, municipalities: ['liperi'] }],
    municipalities: shifted.municipalities.filter((m) => m.id === 'liperi'),
  });
}

/** One full run: the round started as the CLI does, each link acted on as soon as its mail is sent. */
async function fullRun(
  stack: EmbeddedStack,
  id: string,
  handled: Set<string>,
): Promise<{ ms: number; invocations: Invocation[] }> {
  const clients = createClients({ waitOverrides: { [RoundStates.WaitForStartDate]: 0 } });
  // The officials read their mail from the emulator's in-process store, as in the national
  // round: GET /store would answer all mail with its attachments each time, a cost of this
  // driver and not of the project's glue that the floor is compared with.
  const mailbox = new Mailbox();
  const pattern = new RegExp(`${escapeRegExp(stack.urls.http)}/l/[A-Za-z0-9_-]+`);
  const invocations: Invocation[] = [];
  recorder = invocations;
  let acting = Promise.resolve();
  onWaitingTask = () => {
    acting = acting.then(async () => {
      for (const mail of mailbox.next()) {
        const link = pattern.exec(mail.text)?.[0];
        if (!link || handled.has(link)) continue;
        handled.add(link);
        await actOnMail(mail, pattern, () => LIPERI_NOMINEES, helsinkiDate(new Date()));
      }
    });
  };
  const started = performance.now();
  try {
    const { executionArn } = await clients.startRound(liperiRoundFile(id));
    const done = await stack.stepFunctions.waitForExecution(executionArn);
    if (done.status !== 'SUCCEEDED') throw new Error(`full run ended ${done.status}`);
    return { ms: performance.now() - started, invocations };
  } finally {
    recorder = undefined;
    onWaitingTask = undefined;
    clients.close();
  }
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The floor: bare engine + plain SDK replays + a bare HTTP server, for one recorded run. */
async function floorRun(
  stack: EmbeddedStack,
  recorded: Invocation[],
  endpoints: { dynamodb: string; ses: string },
  id: string,
): Promise<{ ms: number; replayed: FloorResult['replayed']; errors: number }> {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamo = new ddb.DynamoDBClient({ endpoint: endpoints.dynamodb, region: LOCAL_REGION, credentials });
  const ses = new sesv2.SESv2Client({ endpoint: endpoints.ses, region: LOCAL_REGION, credentials });
  const commands: Record<string, new (input: never) => object> = {
    ...(ddb as unknown as Record<string, new (input: never) => object>),
    ...(sesv2 as unknown as Record<string, new (input: never) => object>),
  };
  const replayed = { dynamo: 0, ses: 0, http: 0 };
  let errors = 0;
  const replay = async (requests: SdkRequest[]) => {
    for (const request of requests) {
      if (request.service === 'sfn') continue; // the floor resumes its engine directly
      const Command = commands[request.command];
      if (!Command) throw new Error(`no command ${request.command}`);
      const client = request.service === 'dynamodb' ? dynamo : ses;
      request.service === 'dynamodb' ? replayed.dynamo++ : replayed.ses++;
      // Fresh ids per run keep conditional writes meaningful; a replay that loses one is counted, not fatal.
      // (Mail inputs stay as recorded: raw MIME is binary, and no key depends on the round id.)
      const input =
        request.service === 'dynamodb'
          ? JSON.parse(JSON.stringify(request.input).replaceAll(recordedId, id))
          : structuredClone(request.input);
      await (client.send as (c: object) => Promise<unknown>)(new Command(input as never)).catch(
        (error: Error) => {
          errors++;
          const kind = `${request.command}: ${error.name}`;
          errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
        },
      );
    }
  };
  const recordedId = String(
    (recorded.find((i) => i.fn.startsWith('RecordRound'))?.payload as { roundId?: string })?.roundId,
  );
  const queues = new Map<string, Invocation[]>();
  for (const invocation of recorded)
    queues.set(invocation.fn, [...(queues.get(invocation.fn) ?? []), invocation]);
  const take = (fn: string) => {
    const next = queues.get(fn)?.shift();
    if (!next) throw new Error(`no recorded invocation of ${fn} left`);
    return next;
  };
  const linkFn = [...queues.keys()].find((fn) => fn.startsWith('LinkPage')) ?? '';
  const tokens: string[] = [];

  const engine = new LocalStepFunctions({
    region: LOCAL_REGION,
    invokeLambda: async (arn, payload) => {
      const fn = arn.split(':').pop() ?? arn;
      const invocation = take(fn);
      await replay(invocation.requests);
      const token = (payload as { taskToken?: string }).taskToken;
      if (token) {
        tokens.push(token);
        setImmediate(() => void official());
      }
      return invocation.result;
    },
  });
  // The bare server answers the link requests with what the link handler answered.
  const server = createServer(async (req, res) => {
    for await (const _chunk of req) {
      // drain the form
    }
    const invocation = take(linkFn);
    await replay(invocation.requests);
    if (req.method === 'POST') {
      const callback = invocation.requests.find((r) => r.service === 'sfn');
      const output = (callback?.input as { output?: string } | undefined)?.output ?? '{}';
      await engine.sendTaskSuccess({ taskToken: tokens.shift() as string, output });
    }
    const result = invocation.result as { statusCode: number; headers: Record<string, string>; body: string };
    res.writeHead(result.statusCode, result.headers);
    res.end(result.body);
  });
  const port = await listen(server);
  const official = async () => {
    replayed.http += 2;
    await (await fetch(`http://127.0.0.1:${port}/l/x`)).text();
    await (await fetch(`http://127.0.0.1:${port}/l/x`, { method: 'POST', body: 'x=1' })).text();
  };
  try {
    for (const machine of stack.app.stateMachines) {
      await engine.createStateMachine({ name: machine.name, definition: machine.definition });
    }
    const started = performance.now();
    // What startRound does: store the round (a conditional put), then StartExecution.
    const round = parseRoundFile(liperiRoundFile(id));
    await new DynamoNominationStore(
      DynamoDBDocumentClient.from(dynamo),
      stack.app.table.name,
    ).putRoundIfAbsent({
      round,
      definitionHash: 'floor',
      status: 'running',
      createdAt: new Date().toISOString(),
    });
    const { executionArn } = await engine.startExecution({
      stateMachineArn: stack.stateMachineArns.round,
      name: id,
      input: JSON.stringify({ roundId: id }),
      waitOverrides: { [RoundStates.WaitForStartDate]: 0 },
    });
    const done = await engine.waitForExecution(executionArn);
    if (done.status !== 'SUCCEEDED') throw new Error(`floor run ended ${done.status}`);
    return { ms: performance.now() - started, replayed, errors };
  } finally {
    engine.close();
    server.close();
    server.closeAllConnections();
    dynamo.destroy();
    ses.destroy();
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function runFloor(progress: (line: string) => void): Promise<FloorResult> {
  process.env.NIMITYS_LOG_LEVEL = 'silent';
  hookRecording();
  const stack = await startEmbeddedStack({
    ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 },
    routeThreadPreload: [RECORDING_THREAD],
  });
  // The floor's own emulators: a fresh table, so replayed conditional writes behave as they did.
  const floorDynamo = dynalite({ createTableMs: 0 });
  const dynamoPort = await listen(floorDynamo);
  const floorSes = await startSesServer({ host: '127.0.0.1', port: 0 });
  const endpoints = {
    dynamodb: `http://127.0.0.1:${dynamoPort}`,
    ses: `http://127.0.0.1:${(floorSes.address() as AddressInfo).port}`,
  };
  await ensureTable(stack.app, endpoints.dynamodb);
  try {
    const fullMs: number[] = [];
    const floorMs: number[] = [];
    let replayed = { dynamo: 0, ses: 0, http: 0 };
    let replayErrors = 0;
    const tag = Date.now().toString(36);
    // aws-ses-v2-local keeps one store per process: the floor's replayed sends land in it
    // too, carrying the full run's (used) links. Act on each link once, whichever mail holds it.
    const handled = new Set<string>();
    // One warm-up pair first: module loading and JIT are not what is compared.
    for (let run = -1; run < RUNS; run++) {
      progress(`floor: run ${run + 1}/${RUNS}`);
      const full = await fullRun(stack, `floor-${tag}-full-${run + 1}`, handled);
      const floor = await floorRun(stack, full.invocations, endpoints, `floor-${tag}-bare-${run + 1}`);
      if (run < 0) continue;
      fullMs.push(full.ms);
      floorMs.push(floor.ms);
      replayed = floor.replayed;
      replayErrors += floor.errors;
    }
    const fullMedianMs = median(fullMs);
    const floorMedianMs = median(floorMs);
    return {
      runs: RUNS,
      fullMedianMs,
      floorMedianMs,
      ratio: fullMedianMs / floorMedianMs,
      fullMs,
      floorMs,
      replayed,
      replayErrors,
    };
  } finally {
    floorDynamo.close();
    floorSes.close();
    floorSes.closeAllConnections();
    await stack.stop();
  }
}
