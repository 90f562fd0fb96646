/**
 * Admin console benchmark: the server time to render the page of a round of 308
 * municipalities on the embedded stack (target < 0.5 s), and the search across rounds.
 * Not a test: run it with
 *
 *   npx tsx bench/console.ts            # prints the figures, --json for a summary
 *
 * The round is written straight into the table (a definition, 308 nominations in mixed
 * states, their open waits and request mails), so the figure is the console's own: the
 * Queries behind the page (round, nominations, waits, undelivered mails, groups) and the
 * rendering, measured inside the handler's process and as HTTP round trips. A second
 * round of 308 (an earlier year) is written the same way; storing each also writes its
 * search index, so the search figures cover 616 nominations in two rounds.
 */

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { dynamoClient } from '../functions/adapters/clients.ts';
import { DynamoNominationStore, keys } from '../functions/adapters/dynamo-store.ts';
import { ADMINS_GROUP, issueSession } from '../functions/admin/auth.ts';
import { helsinkiDate } from '../functions/domain/time.ts';
import type { Municipality, Nomination, NominationStatus, Round } from '../functions/domain/types.ts';
import { startEmbeddedStack } from '../local/stack.ts';

process.env.NIMITYS_LOG_LEVEL = 'silent';
const MUNICIPALITIES = 308;
const GROUPS = 22;
const RUNS = 20;
const json = process.argv.includes('--json');

function person(name: string, domain: string) {
  const local = name.toLowerCase().replace(/[^a-z]+/g, '.');
  return {
    name,
    title: 'hyvinvointikoordinaattori',
    email: `${local}@${domain}.example`,
    phone: '040 123 4567',
  };
}

function bigRound(id: string): Round {
  const today = helsinkiDate(new Date());
  const plus = (days: number) =>
    new Date(Date.parse(`${today}T00:00:00Z`) + days * 86400_000).toISOString().slice(0, 10);
  const municipalities: Municipality[] = Array.from({ length: MUNICIPALITIES }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    const domain = `kunta${n}`;
    return {
      id: `kunta-${n}`,
      name: `Kunta ${n}`,
      registryEmail: `kirjaamo@${domain}.example`,
      boardEmail: `kunnanhallitus@${domain}.example`,
      preparer: person(`Valmistelija Numero${n}`, domain),
      presenter: person(`Esittelija Numero${n}`, domain),
      body: { name: 'Hyvinvointilautakunta', secretaryEmail: `sihteeri@${domain}.example` },
    };
  });
  return {
    id,
    title: 'Edustajien nimeäminen alueellisiin kumppanuusryhmiin (koko maa)',
    caseText: 'Mittauskierros.',
    organiser: {
      name: 'Mittaushyvinvointialue',
      registryEmail: 'kirjaamo@alue.example',
      contact: person('Yhteys Henkilo', 'alue'),
    },
    seats: { min: 1, max: 4 },
    requestDate: today,
    deadline: plus(30),
    startDate: plus(60),
    meetingsPerYear: 3,
    groups: Array.from({ length: GROUPS }, (_, g) => ({
      id: `ryhma-${g + 1}`,
      name: `Kumppanuusryhmä ${g + 1}`,
      municipalityIds: municipalities.filter((_, i) => i % GROUPS === g).map((m) => m.id),
    })),
    municipalities,
  };
}

const MIX: NominationStatus[] = [
  'awaiting_proposal',
  'awaiting_proposal',
  'awaiting_approval',
  'awaiting_decision',
  'completed',
  'no_answer',
  'failed',
];

/** Writes the round; answers how long storing the definition with its search index took. */
async function seed(store: DynamoNominationStore, round: Round, createdAt = new Date().toISOString()) {
  const now = new Date().toISOString();
  const t0 = performance.now();
  await store.putRoundIfAbsent({ round, definitionHash: 'bench', status: 'running', createdAt });
  const roundMs = performance.now() - t0;
  await Promise.all(
    round.municipalities.map(async (m, i) => {
      const status = MIX[i % MIX.length] as NominationStatus;
      const group = round.groups.find((g) => g.municipalityIds.includes(m.id));
      const nominees = [1, 2, 3, 4].map((k) => person(`Ehdokas${k} ${m.name.replace(/\W/g, '')}`, m.id));
      const nomination: Nomination = {
        roundId: round.id,
        municipalityId: m.id,
        groupId: group?.id ?? '',
        status,
        ...(status === 'completed' && {
          proposal: { nominees, text: 'Ehdotus.', submittedAt: now, submittedBy: m.preparer.email },
          decision: {
            outcome: 'adopted',
            meetingDate: round.requestDate,
            section: String(i + 1),
            text: 'Hyväksyttiin päätösehdotus.',
            nominees,
            decidedAt: now,
            recordedBy: m.body.secretaryEmail,
          },
          members: nominees,
        }),
        ...(status === 'failed' && { failure: { error: 'MailRejectedError', cause: 'bench', at: now } }),
        updatedAt: now,
        version: 1,
      };
      await store.putNominationIfAbsent(nomination);
      const step =
        status === 'awaiting_proposal'
          ? 'proposal'
          : status === 'awaiting_approval'
            ? 'approval'
            : status === 'awaiting_decision'
              ? 'decision'
              : undefined;
      if (step) {
        await store.putWait({
          roundId: round.id,
          municipalityId: m.id,
          step,
          taskToken: 'bench',
          linkTokenHash: `bench-${m.id}`,
          openedAt: now,
        });
      }
      // Each municipality's request mail (every tenth bounced), as the outbox keeps them.
      await dynamoClient().send(
        new PutCommand({
          TableName: 'nimitys',
          Item: {
            ...keys.mail(round.id, m.id, 'proposal-request', m.preparer.email),
            kind: 'mail',
            roundId: round.id,
            scope: m.id,
            purpose: 'proposal-request',
            recipient: m.preparer.email,
            status: 'sent',
            subject: 'Pyyntö',
            sentAt: now,
            ...(i % 10 === 0 && { deliveryState: 'bounced', deliveryDetail: 'bench' }),
          },
        }),
      );
    }),
  );
  return roundMs;
}

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    runs: ms.length,
    medianMs: Math.round(pick(0.5)),
    p90Ms: Math.round(pick(0.9)),
    maxMs: Math.round(sorted.at(-1) ?? 0),
  };
}

const stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
try {
  const store = new DynamoNominationStore(dynamoClient(), 'nimitys');
  const round = bigRound(`kansallinen-${Date.now().toString(36)}`);
  const seedStarted = performance.now();
  const roundIndexMs = await seed(store, round);
  const seedMs = performance.now() - seedStarted;
  await seed(
    store,
    { ...bigRound(`${round.id}-edellinen`), title: 'Edellinen kierros' },
    '2023-10-02T06:00:00.000Z',
  );
  const session = issueSession(
    stack.admin.credential.sessionSecret,
    { id: 'bench', name: 'bench', groups: [ADMINS_GROUP] },
    new Date(),
  );
  const url = `${stack.urls.http}/admin/rounds/${round.id}`;

  // In the handler's process: the Lambda handler itself, as the HTTP bridge calls it.
  const { handler } = (await import('../functions/admin-api.ts')) as unknown as {
    handler: (
      event: APIGatewayProxyEventV2,
      context: unknown,
    ) => Promise<{ statusCode: number; body: string }>;
  };
  const event = (): APIGatewayProxyEventV2 =>
    ({
      version: '2.0',
      routeKey: 'GET /admin/{proxy+}',
      rawPath: `/admin/rounds/${round.id}`,
      rawQueryString: '',
      headers: { cookie: `nimitys_admin=${session}` },
      requestContext: {
        http: { method: 'GET', path: `/admin/rounds/${round.id}`, sourceIp: '127.0.0.1', userAgent: 'bench' },
      },
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEventV2;

  // Where the time goes: the page's Queries, then the rendering.
  const { loadRoundView } = await import('../functions/admin/routes.ts');
  const { renderRound } = await import('../functions/admin/pages.ts');
  const { attentionList } = await import('../functions/admin/view-model.ts');
  const { productionDeps } = await import('../functions/shared/deps.ts');
  const { SfnNominationExecutions } = await import('../functions/adapters/sfn-executions.ts');
  const { sfnClient } = await import('../functions/adapters/clients.ts');
  const consoleDeps = {
    ...productionDeps(),
    reads: store,
    executions: new SfnNominationExecutions(sfnClient(), stack.stateMachineArns.nomination),
    rounds: { start: async () => ({ executionArn: '' }) },
  };
  const loadMs: number[] = [];
  const renderMs: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    const view = await loadRoundView(consoleDeps, round.id, new Date());
    const t1 = performance.now();
    renderRound(
      { user: 'bench', csrf: 'x' },
      {
        ...view,
        attention: attentionList(view.rows),
        query: '',
        status: '',
        total: view.rows.length,
        now: new Date(),
      },
    );
    const t2 = performance.now();
    if (i >= 2) {
      loadMs.push(t1 - t0);
      renderMs.push(t2 - t1);
    }
  }

  if (process.argv.includes('--queries')) {
    const time = async (label: string, f: () => Promise<unknown>) => {
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) await f();
      console.log(`  ${label}: ${Math.round((performance.now() - t0) / 5)} ms`);
    };
    await time('getRound', () => store.getRound(round.id));
    await time('listNominations', () => store.listNominations(round.id));
    await time('listWaits', () => store.listWaits(round.id));
    await time('listUndeliveredMail', () => store.listUndeliveredMail(round.id));
    await time('listGroups', () => store.listGroups(round.id));
  }

  const handlerMs: number[] = [];
  const httpMs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    const out = await handler(event(), {});
    const t1 = performance.now();
    if (out.statusCode !== 200) throw new Error(`round page answered ${out.statusCode}`);
    const response = await fetch(url, { headers: { cookie: `nimitys_admin=${session}` } });
    const body = await response.text();
    const t2 = performance.now();
    if (response.status !== 200 || !body.includes('Kunta 308')) throw new Error(`HTTP ${response.status}`);
    bytes = Buffer.byteLength(body);
    if (i >= 2) {
      handlerMs.push(t1 - t0);
      httpMs.push(t2 - t1);
    } // the first two warm up
  }
  // The search across both rounds, as the console's handler runs it (index Query, BatchGets, check).
  const { searchNominations } = await import('../functions/admin/search.ts');
  const { DynamoNominationSearch } = await import('../functions/adapters/dynamo-search.ts');
  const searchDeps = {
    search: new DynamoNominationSearch(dynamoClient(), 'nimitys'),
    clock: { now: () => new Date() },
  };
  const searches = [
    { label: 'person', input: { query: 'Numero150' } },
    { label: 'e-mail', input: { query: 'kirjaamo@kunta150' } },
    { label: 'section + state', input: { query: '§ 12', status: 'completed' } },
    { label: 'state only (failed)', input: { status: 'failed' } },
    { label: 'broad word ("kunta": 300 checked)', input: { query: 'kunta' } },
  ];
  const searchStats: Array<{ label: string; hits: number; more: boolean } & ReturnType<typeof stats>> = [];
  for (const { label, input } of searches) {
    const ms: number[] = [];
    let last = await searchNominations(input, searchDeps);
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      last = await searchNominations(input, searchDeps);
      ms.push(performance.now() - t0);
    }
    searchStats.push({ label, hits: last.hits.length, more: last.more, ...stats(ms) });
  }

  const summary = {
    municipalities: MUNICIPALITIES,
    seedOneRoundMs: Math.round(seedMs),
    storeRoundWithIndexMs: Math.round(roundIndexMs),
    search: searchStats,
    groups: GROUPS,
    pageBytes: bytes,
    handler: stats(handlerMs),
    queries: stats(loadMs),
    render: stats(renderMs),
    http: stats(httpMs),
    targetMs: 500,
    withinTarget: stats(handlerMs).p90Ms < 500,
  };
  if (json) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(
      `Round page, ${MUNICIPALITIES} municipalities in ${GROUPS} groups (${Math.round(bytes / 1024)} kB of HTML):`,
    );
    console.log(
      `  handler (server time)  median ${summary.handler.medianMs} ms, p90 ${summary.handler.p90Ms} ms, max ${summary.handler.maxMs} ms over ${RUNS} runs`,
    );
    console.log(
      `    of which Queries     median ${summary.queries.medianMs} ms, p90 ${summary.queries.p90Ms} ms`,
    );
    console.log(
      `    of which rendering   median ${summary.render.medianMs} ms, p90 ${summary.render.p90Ms} ms`,
    );
    console.log(`  HTTP round trip        median ${summary.http.medianMs} ms, p90 ${summary.http.p90Ms} ms`);
    console.log(`  target < 500 ms: ${summary.withinTarget ? 'met' : 'NOT met'}`);
    console.log(
      `Writing one round (308 nominations, their waits and mails, the search index): ${summary.seedOneRoundMs} ms`,
    );
    console.log(
      `  of which storing the definition with its municipalities' search items: ${summary.storeRoundWithIndexMs} ms`,
    );
    console.log(`Search across 2 rounds (616 nominations), ${RUNS} runs each:`);
    for (const x of summary.search) {
      console.log(
        `  ${x.label.padEnd(36)} median ${x.medianMs} ms, p90 ${x.p90Ms} ms (${x.hits} shown${x.more ? ', more' : ''})`,
      );
    }
  }
} finally {
  await stack.stop();
}
