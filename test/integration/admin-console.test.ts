/**
 * The admin console on the real embedded stack, over plain HTTP: who gets in (401/403),
 * starting a round from an uploaded file, the round's JSON view, the CSV export, every
 * action recorded in the audit trail, the search across rounds, link opens in the
 * timeline, and the AWS sign-in (Cognito hosted UI, PKCE, the ID token as the session)
 * against a fake Cognito on 127.0.0.1.
 */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { dynamoClient } from '../../functions/adapters/clients.ts';
import { DynamoNominationStore } from '../../functions/adapters/dynamo-store.ts';
import { ADMINS_GROUP, csrfFor, csrfToken, issueSession } from '../../functions/admin/auth.ts';
import { helsinkiDate } from '../../functions/domain/time.ts';
import { shiftRoundDatesToToday } from '../../local/client.ts';
import { SesStore } from '../../local/ses-store.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import {
  type CognitoConsole,
  type FakeCognito,
  startCognitoConsole,
  startFakeCognito,
  USERS,
} from '../support/fake-cognito.ts';
import { until } from '../support/rounds.ts';

process.env.NIMITYS_LOG_LEVEL = 'silent';

const ROUND_ID = `admin-it-${Date.now().toString(36)}`;

function exampleRoundFile(id = ROUND_ID): string {
  const data = parseYaml(readFileSync('examples/pohjois-karjala-2024.yaml', 'utf8')) as Record<
    string,
    unknown
  > & {
    requestDate: string;
    deadline: string;
    startDate: string;
  };
  return stringifyYaml({ ...shiftRoundDatesToToday(data, helsinkiDate(new Date())), id });
}

describe('the admin console over HTTP', () => {
  let stack: EmbeddedStack;
  let base: string;
  let session: string;
  let csrf: string;
  const cookie = () => ({ cookie: `nimitys_admin=${session}` });

  const upload = (fileText: string, fields: Record<string, string>) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new Blob([fileText], { type: 'text/yaml' }), 'round.yaml');
    return fetch(`${base}/admin/rounds/new`, {
      method: 'POST',
      headers: cookie(),
      body: form,
      redirect: 'manual',
    });
  };
  const act = (municipalityId: string, action: string, fields: Record<string, string>) =>
    fetch(`${base}/admin/rounds/${ROUND_ID}/m/${municipalityId}/${action}`, {
      method: 'POST',
      headers: { ...cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, ...fields }).toString(),
      redirect: 'manual',
    });
  const roundJson = async () =>
    (await (await fetch(`${base}/admin/api/rounds/${ROUND_ID}`, { headers: cookie() })).json()) as {
      nominations: Array<{ municipalityId: string; status: string; state: string; waitingSince?: string }>;
    };
  const auditOf = (municipalityId: string) =>
    new DynamoNominationStore(dynamoClient(), 'nimitys').listAudit(ROUND_ID, municipalityId);

  beforeAll(async () => {
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    base = stack.urls.http;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers an unauthenticated API call with 401 and no data, and a page with the sign-in form', async () => {
    // act
    const api = await fetch(`${base}/admin/api/rounds`);
    const pageResponse = await fetch(`${base}/admin`);
    const withLinkToken = await fetch(`${base}/admin/api/rounds`, {
      headers: { authorization: `Bearer ${'x'.repeat(43)}` },
    });
    // assess
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ message: 'Unauthorized' });
    expect(pageResponse.status).toBe(401);
    expect(await pageResponse.text()).toContain('Kirjaudu ylläpitoon');
    expect(withLinkToken.status).toBe(401);
  });

  it('answers a signed-in non-admin with 403 and no data', async () => {
    // prepare: a valid session without the admins group
    const { sessionSecret } = stack.admin.credential;
    const viewer = issueSession(sessionSecret, { id: 'viewer', name: 'viewer', groups: [] }, new Date());
    // act
    const api = await fetch(`${base}/admin/api/rounds`, { headers: { authorization: `Bearer ${viewer}` } });
    const pageResponse = await fetch(`${base}/admin`, { headers: { cookie: `nimitys_admin=${viewer}` } });
    // assess
    expect(api.status).toBe(403);
    expect(await api.json()).toEqual({ message: 'Forbidden' });
    expect(pageResponse.status).toBe(403);
    expect(await pageResponse.text()).not.toContain('<table');
  });

  it('refuses a forged session and a wrong password; the local credential signs in', async () => {
    // prepare
    const forged = issueSession('not-the-secret', { id: 'x', name: 'x', groups: [ADMINS_GROUP] }, new Date());
    const signIn = (password: string) =>
      fetch(`${base}/admin/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'admin', password }).toString(),
        redirect: 'manual',
      });
    // act
    const forgedResponse = await fetch(`${base}/admin/api/rounds`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    const wrong = await signIn('wrong-password');
    const right = await signIn(stack.admin.password ?? '');
    // assess
    expect(forgedResponse.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(right.status).toBe(303);
    const setCookie = right.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    session = /nimitys_admin=([^;]+)/.exec(setCookie)?.[1] ?? '';
    csrf = csrfToken(stack.admin.credential.sessionSecret, session);
    expect((await fetch(`${base}/admin/api/rounds`, { headers: cookie() })).status).toBe(200);
  });

  it('shows a round file’s errors by field and stores nothing', async () => {
    // prepare: the example with a broken registry address
    const broken = parseYaml(exampleRoundFile(`${ROUND_ID}-broken`)) as {
      municipalities: Array<{ registryEmail: string }>;
    };
    const first = broken.municipalities[0];
    if (first) first.registryEmail = 'kirjaamo(at)example';
    // act
    const response = await upload(stringifyYaml(broken), { csrf, confirm: 'yes' });
    // assess
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('municipalities[0].registryEmail');
    const rounds = (await (await fetch(`${base}/admin/api/rounds`, { headers: cookie() })).json()) as {
      rounds: Array<{ id: string }>;
    };
    expect(rounds.rounds.map((r) => r.id)).not.toContain(`${ROUND_ID}-broken`);
  });

  it('refuses an upload without confirmation or with a wrong CSRF token', async () => {
    expect((await upload(exampleRoundFile(), { csrf })).status).toBe(422);
    expect((await upload(exampleRoundFile(), { csrf: 'nope', confirm: 'yes' })).status).toBe(403);
  });

  it('starts a round from an upload and shows who is waited on, since when', async () => {
    // act
    const response = await upload(exampleRoundFile(), { csrf, confirm: 'yes' });
    // assess
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/admin/rounds/${ROUND_ID}?done=started`);
    const view = await until('every municipality to be waited on', async () => {
      const v = await roundJson();
      return v.nominations.length > 0 && v.nominations.every((n) => n.status === 'awaiting_proposal')
        ? v
        : undefined;
    });
    const liperi = view.nominations.find((n) => n.municipalityId === 'liperi');
    expect(liperi?.state).toMatch(/^Odottaa ehdotusta valmistelijalta .+ alkaen$/);
    expect(liperi?.waitingSince).toBeTruthy();
    expect((await auditOf('round')).map((a) => a.action)).toContain('round-started');
  });

  it('exports the roster and status as CSV, and records the export', async () => {
    const response = await fetch(`${base}/admin/rounds/${ROUND_ID}/export.csv`, { headers: cookie() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await response.text())
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toMatch(/^Kierros;Ryhmä;Kunta;Tila/);
    expect(lines.some((l) => l.includes(';Liperi;Odottaa ehdotusta;'))).toBe(true);
    expect((await auditOf('round')).map((a) => a.action)).toContain('csv-exported');
  });

  it('extends a deadline, refusing a date that is not later or not before the groups start', async () => {
    const bad = await act('liperi', 'extend', { deadline: '1.1.2020', confirm: 'yes' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Uuden määräajan pitää olla myöhempi');
    const pastStart = new Date(Date.now() + 400 * 86400_000).toISOString().slice(0, 10);
    const tooLate = await act('liperi', 'extend', { deadline: pastStart, confirm: 'yes' });
    expect(tooLate.status).toBe(422);
    expect(await tooLate.text()).toContain('ennen ryhmien aloituspäivää');
    const later = new Date(Date.now() + 90 * 86400_000).toISOString().slice(0, 10);
    const ok = await act('liperi', 'extend', { deadline: later, confirm: 'yes' });
    expect(ok.status).toBe(303);
    const audit = await auditOf('liperi');
    expect(audit.find((a) => a.action === 'deadline-extended')?.detail).toContain(later);
    expect(audit.find((a) => a.action === 'deadline-extended')?.actor).toBe('admin');
  });

  it('resends the waiting step’s link and records it', async () => {
    const ok = await act('liperi', 'resend', { step: 'proposal', confirm: 'yes' });
    expect(ok.status).toBe(303);
    expect((await auditOf('liperi')).map((a) => a.action)).toContain('proposal-link-resent');
  });

  it('cancels a nomination with a reason: its execution stops, its state says why', async () => {
    const noReason = await act('outokumpu', 'cancel', { reason: ' ', confirm: 'yes' });
    expect(noReason.status).toBe(422);
    const ok = await act('outokumpu', 'cancel', {
      reason: 'Kunta ilmoitti, ettei se nimeä edustajaa.',
      confirm: 'yes',
    });
    expect(ok.status).toBe(303);
    const view = await roundJson();
    const outokumpu = view.nominations.find((n) => n.municipalityId === 'outokumpu');
    expect(outokumpu?.status).toBe('cancelled');
    expect(outokumpu?.state).toContain('ettei se nimeä');
    const audit = await auditOf('outokumpu');
    expect(audit.find((a) => a.action === 'nomination-cancelled')?.detail).toContain('ettei se nimeä');
    const again = await act('outokumpu', 'cancel', { reason: 'uudelleen', confirm: 'yes' });
    expect(again.status).toBe(409);
  });
  it('retries a failed nomination from the step that failed, in a new execution', async () => {
    // prepare: Kitee's preparer proposes through the link, then its approval step fails for good
    const store = new DynamoNominationStore(dynamoClient(), 'nimitys');
    const round = (await store.getRound(ROUND_ID))?.round;
    const kitee = round?.municipalities.find((m) => m.id === 'kitee');
    if (!kitee) throw new Error('no Kitee in the example');
    const ses = new SesStore(stack.urls.ses);
    const request = await until('Kitee’s request', async () =>
      (await ses.mailsSince()).find((m) => m.to === kitee.preparer.email),
    );
    const link = new RegExp(`${base}/l/[A-Za-z0-9_-]{43}`).exec(request.text)?.[0] ?? '';
    // the form's hidden fields, as the browser would post them
    const form = await (await fetch(link)).text();
    const hidden = Object.fromEntries(
      [...form.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)].map((m) => [
        /name="([^"]*)"/.exec(m[0])?.[1] ?? '',
        (/value="([^"]*)"/.exec(m[0])?.[1] ?? '').replace(/&amp;/g, '&'),
      ]),
    );
    const proposed = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...hidden,
        text: '',
        'nominees.0.name': 'Kaija Kiteeläinen',
        'nominees.0.title': 'hyvinvointikoordinaattori',
        'nominees.0.email': 'kaija.kiteelainen@kitee.example',
        'nominees.0.phone': '040 111 2222',
      }).toString(),
    });
    expect(proposed.status).toBe(200);
    await until('Kitee waiting for approval', async () =>
      (await store.getNomination(ROUND_ID, 'kitee'))?.status === 'awaiting_approval' ? true : undefined,
    );
    const executionName = `${ROUND_ID}--kitee`;
    const arn = `${stack.stateMachineArns.nomination.replace(':stateMachine:', ':execution:')}:${executionName}`;
    await stack.stepFunctions.stopExecution({ executionArn: arn, error: 'MailRejectedError', cause: 'test' });
    const waiting = await store.getNomination(ROUND_ID, 'kitee');
    if (!waiting) throw new Error('no Kitee nomination');
    await store.saveNomination({
      ...waiting,
      status: 'failed',
      failure: { error: 'MailRejectedError', cause: 'test', at: new Date().toISOString() },
      version: waiting.version + 1,
    });

    // act
    const response = await act('kitee', 'retry', { confirm: 'yes' });

    // assess: a new execution began at the approval step, not at the proposal
    expect(response.status).toBe(303);
    const retryArn = `${arn}-retry-1`;
    const entered = await until('the retry to wait for approval', async () => {
      const history = await stack.stepFunctions.getExecutionHistory({ executionArn: retryArn });
      const names = (history.events ?? []).flatMap((e) =>
        e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
      );
      return names.includes('RequestApproval') ? names : undefined;
    });
    expect(entered[0]).toBe('ResumeAt');
    expect(entered).not.toContain('RequestProposal');
    await until('Kitee waiting for approval again', async () =>
      (await store.getNomination(ROUND_ID, 'kitee'))?.status === 'awaiting_approval' ? true : undefined,
    );
    expect((await auditOf('kitee')).find((a) => a.action === 'retry-started')?.detail).toContain('approval');
  });

  // --- Search across rounds -----------------------------------------------------------

  const searchJson = async (params: Record<string, string>) => {
    const response = await fetch(`${base}/admin/api/haku?${new URLSearchParams(params)}`, {
      headers: cookie(),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        results: Array<{
          roundId: string;
          municipalityId: string;
          status: string;
          matched?: string;
          href: string;
        }>;
        more: boolean;
      },
    };
  };

  it('searches every round by municipality, e-mail and state, from the index', async () => {
    // prepare: a second, older round written straight to the table (no executions)
    const store = new DynamoNominationStore(dynamoClient(), 'nimitys');
    const started = await store.getRound(ROUND_ID);
    if (!started) throw new Error('no round');
    const olderId = `${ROUND_ID}-vanha`;
    await store.putRoundIfAbsent({
      round: { ...started.round, id: olderId, title: 'Vanha kierros' },
      definitionHash: 'older',
      status: 'completed',
      createdAt: '2023-10-02T06:00:00.000Z',
    });
    for (const m of started.round.municipalities) {
      const groupId = started.round.groups.find((g) => g.municipalityIds.includes(m.id))?.id ?? '';
      await store.putNominationIfAbsent({
        roundId: olderId,
        municipalityId: m.id,
        groupId,
        status: 'no_answer',
        updatedAt: '2023-12-01T22:00:00.000Z',
        version: 1,
      });
    }

    // act & assess: by municipality, in both rounds, newest round first
    const byName = await searchJson({ q: 'LIPERI' });
    expect(byName.status).toBe(200);
    expect(byName.body.results.map((r) => [r.roundId, r.municipalityId])).toEqual([
      [ROUND_ID, 'liperi'],
      [olderId, 'liperi'],
    ]);
    expect(byName.body.results[0]?.href).toBe(`/admin/rounds/${ROUND_ID}/m/liperi`);
    // by an official's e-mail, and with the state filter
    const byMail = await searchJson({ q: 'hyvinvointikoordinaattori@joensuu', status: 'no_answer' });
    expect(byMail.body.results.map((r) => [r.roundId, r.municipalityId, r.status])).toEqual([
      [olderId, 'joensuu', 'no_answer'],
    ]);
    // the state alone: the older round's thirteen, from the state index
    const noAnswer = await searchJson({ status: 'no_answer' });
    expect(noAnswer.body.results.filter((r) => r.roundId === olderId)).toHaveLength(13);
    // too short to look up: a field error, nothing searched
    const short = await searchJson({ q: 'L' });
    expect(short.status).toBe(422);
    const page = await fetch(`${base}/admin/haku?q=L`, { headers: cookie() });
    expect(page.status).toBe(422);
    expect(await page.text()).toContain('vähintään 2 merkkiä');
  });

  // --- Link opens ---------------------------------------------------------------------

  it('records a link opened and reloaded as one visit, and the step still waits', async () => {
    // prepare: Juuka's request mail and its link
    const store = new DynamoNominationStore(dynamoClient(), 'nimitys');
    const ses = new SesStore(stack.urls.ses);
    const request = await until('Juuka’s request', async () =>
      (await ses.mailsSince()).find((m) => m.to === 'sivistysjohtaja@juuka.example'),
    );
    const link = new RegExp(`${base}/l/[A-Za-z0-9_-]{43}`).exec(request.text)?.[0] ?? '';
    const before = await store.getNomination(ROUND_ID, 'juuka');
    // act: two GETs in a row (a browser seconds after sending, so a likely scanner: a page and its reload)
    for (let i = 0; i < 2; i++) {
      const response = await fetch(link, {
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' },
      });
      expect(response.status).toBe(200);
    }
    // assess: one open record, one visit (the reload was not written again); nothing else moved
    const opens = await store.listLinkOpens(ROUND_ID, 'juuka');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({ step: 'proposal', openCount: 1, suspectedSign: 'soon-after-sending' });
    const after = await store.getNomination(ROUND_ID, 'juuka');
    expect(after?.status).toBe('awaiting_proposal');
    expect(after?.version).toBe(before?.version);
    expect(await store.getWait(ROUND_ID, 'juuka', 'proposal')).toBeDefined();
    expect((await auditOf('juuka')).map((a) => a.action)).toEqual([]);
    // the link still acts, and a third open within the minute is the same visit
    expect((await fetch(link)).status).toBe(200);
    expect((await store.listLinkOpens(ROUND_ID, 'juuka'))[0]).toMatchObject({ openCount: 1 });
    // the console's timeline says so
    const page = await (
      await fetch(`${base}/admin/rounds/${ROUND_ID}/m/juuka`, { headers: cookie() })
    ).text();
    expect(page).toMatch(
      /Linkki avattu: ehdotuksen linkki, [^<(]+ – todennäköisesti sähköpostin tarkistuspalvelu, ei vastaanottaja/,
    );
  });

  it('finds a nominee after the proposal was recorded, whatever the case or Unicode form', async () => {
    // Kitee's preparer proposed Kaija Kiteeläinen in the retry test above
    const upper = await searchJson({ q: 'KITEELÄINEN' });
    const decomposed = await searchJson({ q: 'kiteela\u0308inen' });
    for (const found of [upper, decomposed]) {
      expect(found.body.results.map((r) => [r.roundId, r.municipalityId, r.matched])).toEqual([
        [ROUND_ID, 'kitee', 'Ehdotettu: Kaija Kiteeläinen'],
      ]);
    }
    expect((await searchJson({ q: 'kiteelainen' })).body.results).toEqual([]);
  });

  // --- Signing in on AWS: Cognito's hosted UI, against a fake Cognito ---------------------

  describe('the AWS sign-in (Cognito hosted UI, authorization code + PKCE)', () => {
    let fake: FakeCognito;
    let cognito: CognitoConsole;

    beforeAll(async () => {
      fake = await startFakeCognito();
      cognito = await startCognitoConsole(stack, fake);
    });

    afterAll(async () => {
      await cognito?.close();
      await fake?.close();
    });

    const cookieOf = (response: Response, name: string) =>
      response.headers
        .getSetCookie()
        .find((c) => c.startsWith(`${name}=`))
        ?.split(';')[0]
        ?.slice(name.length + 1);

    /** Browser steps by hand: console → hosted UI → callback; returns the callback's answer. */
    async function signIn(user: keyof typeof USERS, tamper?: (query: URLSearchParams) => void) {
      const start = await fetch(
        `${cognito.url}/admin/kirjaudu?next=${encodeURIComponent('/admin/haku?q=liperi')}`,
        {
          redirect: 'manual',
        },
      );
      expect(start.status).toBe(303);
      const login = cookieOf(start, 'nimitys_kirjautuminen') ?? '';
      const hostedUi = new URL(start.headers.get('location') ?? '');
      expect(hostedUi.origin).toBe(fake.url);
      const form = await (await fetch(hostedUi)).text();
      const hidden = Object.fromEntries(
        [...form.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [
          m[1],
          m[2]?.replace(/&amp;/g, '&'),
        ]),
      );
      const posted = await fetch(`${fake.url}/login`, {
        method: 'POST',
        body: new URLSearchParams({ ...hidden, user }),
        redirect: 'manual',
      });
      const callback = new URL(posted.headers.get('location') ?? '');
      tamper?.(callback.searchParams);
      return fetch(callback, { headers: { cookie: `nimitys_kirjautuminen=${login}` }, redirect: 'manual' });
    }

    it('signs an admin in: the ID token, verified, becomes an HttpOnly Lax session cookie', async () => {
      // act
      const callback = await signIn('admin');
      // assess
      expect(callback.status).toBe(303);
      expect(callback.headers.get('location')).toBe('/admin/haku?q=liperi');
      const setCookies = callback.headers.getSetCookie();
      const session = setCookies.find((c) => c.startsWith('nimitys_admin='));
      expect(session).toMatch(/HttpOnly/);
      expect(session).toMatch(/SameSite=Lax/);
      expect(session).toMatch(/Path=\/admin/);
      expect(setCookies.find((c) => c.startsWith('nimitys_kirjautuminen='))).toMatch(/Max-Age=0/);
      const token = cookieOf(callback, 'nimitys_admin') ?? '';
      const page = await fetch(`${cognito.url}/admin/haku?q=liperi`, {
        headers: { cookie: `nimitys_admin=${token}` },
      });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(USERS.admin.email);
      expect(html).toContain(`/admin/rounds/${ROUND_ID}/m/liperi`);
      // the form's CSRF token is the one this session's cookie gives
      expect(html).toContain(
        `name="csrf" value="${csrfFor({ mode: 'cognito', cognito: cognito.settings }, token)}"`,
      );
    });

    it('checks the cookie on every request against the JWKS, fetched once', async () => {
      const token = fake.idToken(USERS.admin);
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${cognito.url}/admin/api/rounds`, {
          headers: { cookie: `nimitys_admin=${token}` },
        });
        expect(response.status).toBe(200);
      }
      expect(fake.jwksFetches()).toBe(1);
    });

    it('refuses a tampered, expired, foreign or misdirected token, and a non-admin, at the callback', async () => {
      const cases: Array<[string, (claims: Record<string, unknown>) => string, number]> = [
        ['tampered signature', (c) => `${fake.sign(c).slice(0, -6)}AAAAAA`, 401],
        ['signed by another key', (c) => fake.sign(c, { key: 'stranger' }), 401],
        ['expired', (c) => fake.sign({ ...c, exp: Math.floor(Date.now() / 1000) - 3600 }), 401],
        ['wrong issuer', (c) => fake.sign({ ...c, iss: `${fake.url}/eu-north-1_Other` }), 401],
        ['wrong audience', (c) => fake.sign({ ...c, aud: 'another-client' }), 401],
        ['wrong nonce', (c) => fake.sign({ ...c, nonce: 'replayed' }), 401],
        ['an access token', (c) => fake.sign({ ...c, token_use: 'access' }), 401],
      ];
      try {
        for (const [what, mint, status] of cases) {
          fake.mint = mint;
          const callback = await signIn('admin');
          expect([what, callback.status]).toEqual([what, status]);
          expect([what, cookieOf(callback, 'nimitys_admin')]).toEqual([what, undefined]);
        }
      } finally {
        fake.mint = undefined;
      }
      const viewer = await signIn('viewer');
      expect(viewer.status).toBe(403);
      expect(cookieOf(viewer, 'nimitys_admin')).toBeUndefined();
      expect(await viewer.text()).toContain('Ei käyttöoikeutta');
    });

    it('refuses a callback whose state is not the one sent, or without the login cookie', async () => {
      const forged = await signIn('admin', (q) => q.set('state', 'attacker-state'));
      expect(forged.status).toBe(400);
      expect(cookieOf(forged, 'nimitys_admin')).toBeUndefined();
      const code = await fetch(`${cognito.url}/admin/kirjaudu/callback?code=x&state=y`, {
        redirect: 'manual',
      });
      expect(code.status).toBe(400);
    });

    it('refuses bad session cookies: a page goes to sign-in, the API says 401, a non-admin 403, never data', async () => {
      const get = (path: string, token: string) =>
        fetch(`${cognito.url}${path}`, { headers: { cookie: `nimitys_admin=${token}` }, redirect: 'manual' });
      const now = Math.floor(Date.now() / 1000);
      const bad = [
        `${fake.idToken(USERS.admin).slice(0, -6)}AAAAAA`,
        fake.idToken(USERS.admin, { exp: now - 3600 }),
        fake.idToken(USERS.admin, { iss: 'https://cognito-idp.eu-north-1.amazonaws.com/eu-north-1_Other' }),
        fake.idToken(USERS.admin, { aud: 'another-client' }),
        fake.sign({ sub: 'x', 'cognito:groups': ['admins'] }, { alg: 'HS256' }),
      ];
      for (const token of bad) {
        const page = await get(`/admin/rounds/${ROUND_ID}`, token);
        expect(page.status).toBe(303);
        expect(page.headers.get('location')).toBe(
          `/admin/kirjaudu?next=${encodeURIComponent(`/admin/rounds/${ROUND_ID}`)}`,
        );
        const api = await get('/admin/api/rounds', token);
        expect(api.status).toBe(401);
        expect(await api.text()).not.toContain(ROUND_ID);
      }
      const viewer = await get('/admin/api/rounds', fake.idToken(USERS.viewer));
      expect(viewer.status).toBe(403);
      expect(await viewer.json()).toEqual({ message: 'Forbidden' });
    });

    it('refuses a form posted with the cookie but without its CSRF token', async () => {
      const token = fake.idToken(USERS.admin);
      const response = await fetch(`${cognito.url}/admin/rounds/${ROUND_ID}/m/liperi/extend`, {
        method: 'POST',
        headers: { cookie: `nimitys_admin=${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ deadline: '1.1.2030', confirm: 'yes' }).toString(),
        redirect: 'manual',
      });
      expect(response.status).toBe(403);
    });

    it('signs out: the cookie is cleared, the hosted UI signs out and returns to the console', async () => {
      const token = fake.idToken(USERS.admin);
      const out = await fetch(`${cognito.url}/admin/sign-out`, {
        method: 'POST',
        headers: { cookie: `nimitys_admin=${token}` },
        redirect: 'manual',
      });
      expect(out.status).toBe(303);
      expect(out.headers.getSetCookie().find((c) => c.startsWith('nimitys_admin='))).toMatch(/Max-Age=0/);
      const logout = new URL(out.headers.get('location') ?? '');
      expect(logout.origin + logout.pathname).toBe(`${fake.url}/logout`);
      const back = await fetch(logout, { redirect: 'manual' });
      expect(back.headers.get('location')).toBe(`${cognito.url}/admin/kirjaudu/ulos`);
      const signedOut = await fetch(`${cognito.url}/admin/kirjaudu/ulos`);
      expect(await signedOut.text()).toContain('Olet kirjautunut ulos');
    });
  });
});
