/**
 * The admin console on the real embedded stack, over plain HTTP: who gets in (401/403),
 * starting a round from an uploaded file, the round's JSON view, the CSV export, and
 * every action recorded in the audit trail.
 */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { dynamoClient } from '../../functions/adapters/clients.ts';
import { DynamoNominationStore } from '../../functions/adapters/dynamo-store.ts';
import { ADMINS_GROUP, csrfToken, issueSession } from '../../functions/admin/auth.ts';
import { helsinkiDate } from '../../functions/domain/time.ts';
import { shiftRoundDatesToToday } from '../../local/client.ts';
import { SesStore } from '../../local/ses-store.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
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
});
