/**
 * Racing callers on the real embedded stack:
 * - the same round file started at the same moment by the CLI's use case and by admins'
 *   uploads: one round, one round execution, one request per municipality; every later
 *   caller is told (the use case says created: false, which the CLI prints; the console
 *   answers 409 in Finnish), and the real CLI run afterwards says so too;
 * - two admins acting on one nomination at once (both extend its deadline; one cancels while
 *   the other resends the link): one action happens, the state agrees with it (deadline,
 *   links, execution, mails), and the later admin gets a 409 saying who did what, when.
 *
 * Fifty simultaneous POSTs of one official's link (one effect, 49 × 410) are in
 * links.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DynamoNominationStore } from '../../functions/adapters/dynamo-store.ts';
import { SfnRoundStarter } from '../../functions/adapters/sfn-workflow.ts';
import { ADMINS_GROUP, csrfToken, issueSession } from '../../functions/admin/auth.ts';
import { helsinkiDate } from '../../functions/domain/time.ts';
import type { Round } from '../../functions/domain/types.ts';
import { type StartedRound, startRound } from '../../functions/use-cases/start-round.ts';
import { shiftRoundDatesToToday } from '../../local/client.ts';
import { LOCAL_REGION } from '../../local/endpoints.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import { createMailbox } from '../support/mailbox.ts';
import { until } from '../support/rounds.ts';

vi.hoisted(() => {
  process.env.NIMITYS_LOG_LEVEL = 'silent';
});

const ROUND_ID = `race-it-${Date.now().toString(36)}`;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exampleRoundFile(): string {
  const data = parseYaml(readFileSync('examples/pohjois-karjala-2024.yaml', 'utf8')) as Record<
    string,
    unknown
  > & { requestDate: string; deadline: string; startDate: string };
  return stringifyYaml({ ...shiftRoundDatesToToday(data, helsinkiDate(new Date())), id: ROUND_ID });
}

/** The errors a console page lists in its summary, for assertion messages. */
const errorsOn = (body = '') =>
  [...body.matchAll(/<li><a href="#f-[^"]*">([^<]*)<\/a><\/li>/g)].map((m) => m[1]).join(' | ');

const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('racing callers on the embedded stack', () => {
  let stack: EmbeddedStack;
  let store: DynamoNominationStore;
  let sfn: SFNClient;
  let mailbox: ReturnType<typeof createMailbox>;
  let round: Round;
  const fileText = exampleRoundFile();

  /** A signed-in admin of the console, by name. */
  function adminSession(name: string) {
    const secret = stack.admin.credential.sessionSecret;
    const session = issueSession(secret, { id: name, name, groups: [ADMINS_GROUP] }, new Date());
    const csrf = csrfToken(secret, session);
    const headers = { cookie: `nimitys_admin=${session}` };
    return {
      name,
      upload(text: string) {
        const form = new FormData();
        form.set('csrf', csrf);
        form.set('confirm', 'yes');
        form.set('file', new Blob([text], { type: 'text/yaml' }), 'round.yaml');
        return fetch(`${stack.urls.http}/admin/rounds/new`, {
          method: 'POST',
          headers,
          body: form,
          redirect: 'manual',
        });
      },
      /** The version of the nomination that the admin's page shows (its forms carry it). */
      async versionSeen(municipalityId: string): Promise<string> {
        const page = await (
          await fetch(`${stack.urls.http}/admin/rounds/${ROUND_ID}/m/${municipalityId}`, { headers })
        ).text();
        const version = /name="version" value="(\d+)"/.exec(page)?.[1];
        if (!version) throw new Error(`No version on ${municipalityId}'s page`);
        return version;
      },
      async act(municipalityId: string, action: string, fields: Record<string, string>) {
        const response = await fetch(
          `${stack.urls.http}/admin/rounds/${ROUND_ID}/m/${municipalityId}/${action}`,
          {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ csrf, confirm: 'yes', ...fields }).toString(),
            redirect: 'manual',
          },
        );
        return { who: name, action, status: response.status, body: await response.text() };
      },
    };
  }
  let aino: ReturnType<typeof adminSession>;
  let eero: ReturnType<typeof adminSession>;

  const useCaseStart = (): Promise<StartedRound> =>
    startRound(fileText, {
      store,
      rounds: new SfnRoundStarter(sfn, stack.stateMachineArns.round),
      clock: { now: () => new Date() },
    });
  const preparerOf = (municipalityId: string) =>
    round.municipalities.find((m) => m.id === municipalityId)?.preparer.email ?? '';
  const mailsTo = async (to: string) => (await mailbox.ses.mailsSince()).filter((m) => m.to === to);
  const nominationExecution = (municipalityId: string) =>
    stack.stepFunctions.describeExecution({
      executionArn: `${stack.stateMachineArns.nomination.replace(':stateMachine:', ':execution:')}:${ROUND_ID}--${municipalityId}`,
    });

  beforeAll(async () => {
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: stack.urls.dynamodb, region: LOCAL_REGION, credentials }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    store = new DynamoNominationStore(db, 'nimitys');
    sfn = new SFNClient({ endpoint: stack.urls.sfn, region: LOCAL_REGION, credentials });
    mailbox = createMailbox(stack.urls);
    aino = adminSession('Aino Ylläpitäjä');
    eero = adminSession('Eero Ylläpitäjä');
  });

  afterAll(async () => {
    sfn?.destroy();
    await stack?.stop();
  });

  it('starts the round once when the CLI and two admins start the same file at the same moment; the later ones are told', async () => {
    // act: four starts at once, two through the use case the CLI runs, two through the console
    const [cli1, console1, console2, cli2] = await Promise.all([
      useCaseStart(),
      aino.upload(fileText),
      eero.upload(fileText),
      useCaseStart(),
    ]);

    // assess: exactly one created it
    const consoleAnswers = [
      { status: console1.status, body: await console1.text() },
      { status: console2.status, body: await console2.text() },
    ];
    const created = [cli1.created, cli2.created, ...consoleAnswers.map((a) => a.status === 303)];
    expect(created.filter(Boolean)).toHaveLength(1);
    for (const answer of consoleAnswers.filter((a) => a.status !== 303)) {
      expect(answer.status).toBe(409);
      expect(answer.body).toContain(
        `Kierros &quot;${ROUND_ID}&quot; on jo aloitettu samalla kierrostiedostolla`,
      );
    }
    const stored = await store.getRound(ROUND_ID);
    if (!stored) throw new Error('no round stored');
    round = stored.round;
    const executions = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArns.round }),
    );
    expect((executions.executions ?? []).filter((e) => e.name === ROUND_ID)).toHaveLength(1);
    expect([cli1.executionArn, cli2.executionArn]).toEqual([
      executions.executions?.[0]?.executionArn,
      executions.executions?.[0]?.executionArn,
    ]);
    const audit = await store.listAudit(ROUND_ID, 'round');
    expect(audit.filter((a) => a.action === 'round-started')).toHaveLength(
      cli1.created || cli2.created ? 0 : 1,
    );

    // one request per municipality, no more
    await until(
      'a request to every municipality',
      async () =>
        (await mailbox.ses.mailsSince()).filter((m) => /^Pyyntö/.test(m.subject)).length >=
        round.municipalities.length
          ? true
          : undefined,
      30_000,
    );
    await sleep(1000);
    for (const m of round.municipalities) {
      expect(
        (await mailsTo(m.preparer.email)).filter((x) => /^Pyyntö/.test(x.subject)),
        m.id,
      ).toHaveLength(1);
    }

    // the real CLI, afterwards, is told too and changes nothing
    const dir = mkdtempSync(path.join(tmpdir(), 'nimitys-race-'));
    const file = path.join(dir, 'round.yaml');
    writeFileSync(file, fileText);
    const cli = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'local/cli.ts', 'round', 'start', file],
        { env: { ...process.env, NIMITYS_LOG_LEVEL: 'silent' } },
        (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
    expect(cli).toMatchObject({ code: 0 });
    expect(cli.stdout).toContain(`Kierros oli jo käynnissä: ${ROUND_ID}`);
    const after = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArns.round }),
    );
    expect((after.executions ?? []).filter((e) => e.name === ROUND_ID)).toHaveLength(1);
  });

  it('extends a deadline once when two admins extend it at the same moment; the later one hears who did what', async () => {
    // prepare: both have Joensuu's page open
    await until('Joensuu to wait for its proposal', async () =>
      (await store.getWait(ROUND_ID, 'joensuu', 'proposal')) ? true : undefined,
    );
    const before = await store.getNomination(ROUND_ID, 'joensuu');
    if (!before) throw new Error('no Joensuu nomination');
    const [seenA, seenB] = await Promise.all([aino.versionSeen('joensuu'), eero.versionSeen('joensuu')]);
    expect([seenA, seenB]).toEqual([String(before.version), String(before.version)]);
    const dates = { [aino.name]: addDays(round.deadline, 5), [eero.name]: addDays(round.deadline, 10) };

    // act
    const answers = await Promise.all([
      aino.act('joensuu', 'extend', { deadline: dates[aino.name] ?? '', version: seenA }),
      eero.act('joensuu', 'extend', { deadline: dates[eero.name] ?? '', version: seenB }),
    ]);

    // assess: one extension, the other told whose
    expect(answers.map((a) => a.status).sort()).toEqual([303, 409]);
    const winner = answers.find((a) => a.status === 303);
    const loser = answers.find((a) => a.status === 409);
    if (!winner || !loser) throw new Error('no winner and loser');
    expect(loser.body).toContain('Toimintoa ei tehty: nimeämistä muutettiin sillä välin, kun sivu oli auki.');
    expect(loser.body).toContain(`Määräaikaa pidennetty: ${round.deadline} → ${dates[winner.who]}`);
    expect(loser.body).toContain(`(${winner.who}, `);
    const after = await store.getNomination(ROUND_ID, 'joensuu');
    expect(after).toMatchObject({ deadline: dates[winner.who], version: before.version + 1 });
    const extended = (await store.listAudit(ROUND_ID, 'joensuu')).filter(
      (a) => a.action === 'deadline-extended',
    );
    expect(extended.map((a) => a.actor)).toEqual([winner.who]);

    // a page left open (the old version) is refused too; the page as it is now acts
    const loserSession = loser.who === aino.name ? aino : eero;
    const stale = await loserSession.act('joensuu', 'extend', {
      deadline: addDays(round.deadline, 20),
      version: seenA,
    });
    expect(stale.status).toBe(409);
    const fresh = await loserSession.act('joensuu', 'extend', {
      deadline: addDays(round.deadline, 20),
      version: await loserSession.versionSeen('joensuu'),
    });
    expect(fresh.status).toBe(303);
    expect((await store.getNomination(ROUND_ID, 'joensuu'))?.deadline).toBe(addDays(round.deadline, 20));
  });

  it('lets exactly one of a cancel and a resend at the same moment act; links, mails and the execution agree with it', async () => {
    // Four races (either may win; the requests leave in both orders), and one where the resend
    // surely comes first and the cancel is posted from the page as it was before.
    const races: Array<[string, 'cancel-first' | 'resend-first' | 'resend-then-stale-cancel']> = [
      ['kitee', 'cancel-first'],
      ['outokumpu', 'resend-first'],
      ['ilomantsi', 'cancel-first'],
      ['polvijarvi', 'resend-first'],
      ['kontiolahti', 'resend-then-stale-cancel'],
    ];
    const outcomes: Record<string, string> = {};
    await Promise.all(
      races.map(async ([municipalityId, order]) => {
        // prepare: both admins have the page open; the preparer has the request mail
        const request = await mailbox.mailTo(preparerOf(municipalityId), /^Pyyntö/);
        const oldLink = mailbox.linkIn(request);
        await until(`${municipalityId} to wait`, async () =>
          (await store.getWait(ROUND_ID, municipalityId, 'proposal')) ? true : undefined,
        );
        const [seenA, seenB] = await Promise.all([
          aino.versionSeen(municipalityId),
          eero.versionSeen(municipalityId),
        ]);

        // act: Aino cancels while Eero resends
        const cancel = () =>
          aino.act(municipalityId, 'cancel', { reason: 'Kunta ilmoitti, ettei nimeä.', version: seenA });
        const resend = () => eero.act(municipalityId, 'resend', { step: 'proposal', version: seenB });
        const answers =
          order === 'cancel-first'
            ? await Promise.all([cancel(), resend()])
            : order === 'resend-first'
              ? (await Promise.all([resend(), cancel()])).reverse()
              : [await resend(), await cancel()].reverse();

        // assess
        expect(answers.map((a) => a.status).sort(), municipalityId).toEqual([303, 409]);
        const loser = answers.find((a) => a.status === 409);
        expect(loser?.body, errorsOn(loser?.body)).toContain(
          'Toimintoa ei tehty: nimeämistä muutettiin sillä välin',
        );
        const nomination = await store.getNomination(ROUND_ID, municipalityId);
        const mails = await mailsTo(preparerOf(municipalityId));
        if (answers.find((a) => a.status === 303)?.action === 'cancel') {
          outcomes[municipalityId] = 'cancel won';
          expect(loser?.body).toContain('Nimeäminen peruttu: Kunta ilmoitti, ettei nimeä. (Aino Ylläpitäjä');
          expect(nomination?.status).toBe('cancelled');
          await sleep(300);
          expect(mails, 'no new link went out').toHaveLength(1);
          expect((await fetch(oldLink)).status).toBe(410);
          const execution = await until(`${municipalityId}'s execution to stop`, async () => {
            const e = await nominationExecution(municipalityId);
            return e.status === 'RUNNING' ? undefined : e;
          });
          expect(execution.status).toBe('ABORTED');
        } else {
          outcomes[municipalityId] = 'resend won';
          expect(loser?.body).toContain('Ehdotus: uusi linkki lähetetty');
          expect(loser?.body).toContain('(Eero Ylläpitäjä');
          expect(nomination?.status).toBe('awaiting_proposal');
          const again = await mailbox.mailTo(preparerOf(municipalityId), /^Uusi linkki/);
          expect(await mailsTo(preparerOf(municipalityId))).toHaveLength(2);
          expect((await fetch(oldLink)).status).toBe(410);
          expect((await fetch(mailbox.linkIn(again))).status).toBe(200);
          expect((await nominationExecution(municipalityId)).status).toBe('RUNNING');
        }
        const audit = (await store.listAudit(ROUND_ID, municipalityId)).map((a) => a.action);
        expect(
          audit.filter((a) => a === 'nomination-cancelled' || a === 'proposal-link-resent'),
        ).toHaveLength(1);
      }),
    );
    console.log(`cancel vs resend: ${JSON.stringify(outcomes)}`);
  });
});
