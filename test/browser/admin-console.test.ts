/**
 * The admin console in real Chromium (Debian's, driven by playwright-core) on the
 * embedded stack: sign-in, the rounds list, a round during a running round, a
 * nomination's timeline (with a link's opens), each action through its confirmed form,
 * the search across rounds, 401/403, the AWS sign-in through a fake Cognito hosted UI,
 * axe-core on every page (no serious or critical findings), and phone width.
 * Screenshots go to test-results/admin/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { issueSession } from '../../functions/admin/auth.ts';
import { helsinkiDate } from '../../functions/domain/time.ts';
import { shiftRoundDatesToToday } from '../../local/client.ts';
import { type SesMail, SesStore } from '../../local/ses-store.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import { launchChromium, seriousFindings } from '../support/browser.ts';
import { startCognitoConsole, startFakeCognito } from '../support/fake-cognito.ts';
import { until } from '../support/rounds.ts';

process.env.NIMITYS_LOG_LEVEL = 'silent';

const SHOTS = path.resolve('test-results/admin');
const ROUND_ID = `selain-${Date.now().toString(36)}`;

function roundFileText(): string {
  const data = parseYaml(readFileSync('examples/pohjois-karjala-2024.yaml', 'utf8')) as {
    requestDate: string;
    deadline: string;
    startDate: string;
  };
  return stringifyYaml({ ...shiftRoundDatesToToday(data, helsinkiDate(new Date())), id: ROUND_ID });
}

describe('the admin console in Chromium', () => {
  let stack: EmbeddedStack;
  let browser: Browser;
  let page: Page;
  let base: string;
  let ses: SesStore;

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    base = stack.urls.http;
    ses = new SesStore(stack.urls.ses);
    browser = await launchChromium();
    // bypassCSP only lets the test inject axe-core: the console's own CSP allows no script.
    page = await browser.newPage({
      locale: 'fi-FI',
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    // The console must load nothing from elsewhere.
    await page.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort());
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('asks for sign-in (401), refuses a wrong password, and lets the local admin in', async () => {
    // act: open the console without a session
    const first = await page.goto(`${base}/admin`);
    // assess
    expect(first?.status()).toBe(401);
    expect(await page.locator('h1').textContent()).toBe('Kirjaudu ylläpitoon');
    expect(await seriousFindings(page)).toEqual([]);
    await shot('01-kirjautuminen');

    await page.fill('#username', 'admin');
    await page.fill('#password', 'väärä salasana');
    await page.click('button[type=submit]');
    expect(await page.locator('.error-summary').textContent()).toContain('väärin');

    await page.fill('#username', 'admin');
    await page.fill('#password', stack.admin.password ?? '');
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/admin`);
    expect(await page.locator('h1').textContent()).toBe('Kierrokset');
    expect(await seriousFindings(page)).toEqual([]);
  });

  it('shows a non-admin 403 and no data', async () => {
    const context = await browser.newContext();
    const viewer = issueSession(
      stack.admin.credential.sessionSecret,
      { id: 'v', name: 'v', groups: [] },
      new Date(),
    );
    await context.addCookies([{ name: 'nimitys_admin', value: viewer, url: `${base}/admin` }]);
    const other = await context.newPage();
    const response = await other.goto(`${base}/admin`);
    expect(response?.status()).toBe(403);
    expect(await other.locator('h1').textContent()).toBe('Ei käyttöoikeutta');
    expect(await other.locator('table').count()).toBe(0);
    await other.screenshot({ path: path.join(SHOTS, '02-ei-oikeutta-403.png') });
    await context.close();
  });

  it('starts a round from an uploaded file, showing field errors first', async () => {
    // prepare: a broken copy and the real file
    const broken = parseYaml(roundFileText()) as { seats: { min: number; max: number } };
    broken.seats.min = 9;
    // act: the broken file
    await page.click('nav a:text-is("Aloita kierros")');
    await page.setInputFiles('#f-file', {
      name: 'rikki.yaml',
      mimeType: 'text/yaml',
      buffer: Buffer.from(stringifyYaml(broken)),
    });
    await page.check('#start-confirm');
    await page.click('main button[type=submit]');
    // assess
    expect(await page.title()).toMatch(/^Virhe: /);
    expect(await page.locator('.error-summary').textContent()).toContain('seats');
    expect(await seriousFindings(page)).toEqual([]);
    await shot('03-kierrostiedoston-virheet');

    // act: the good file
    await page.setInputFiles('#f-file', {
      name: 'kierros.yaml',
      mimeType: 'text/yaml',
      buffer: Buffer.from(roundFileText()),
    });
    await page.check('#start-confirm');
    await page.click('main button[type=submit]');
    await page.waitForURL(new RegExp(`/admin/rounds/${ROUND_ID}\\?done=started$`));
    expect(await page.locator('.notice').textContent()).toContain('Kierros on aloitettu');
  });

  it('shows the running round: who is waited on, since when, days to the deadline', async () => {
    // prepare: the requests have gone out; Liperi's preparer has proposed (through the link)
    const mail = await until('Liperi’s request', async () =>
      (await ses.mailsSince()).find((m: SesMail) => m.to === 'riitta.lappalainen@liperi.example'),
    );
    expect(mail).toBeDefined();
    await until('every municipality waited on', async () => {
      // poll the console's JSON API with the page's session, then open the page once
      const view = (await (await page.request.get(`${base}/admin/api/rounds/${ROUND_ID}`)).json()) as {
        nominations: Array<{ status: string }>;
      };
      const waiting = view.nominations.filter((n) => n.status === 'awaiting_proposal').length;
      return waiting === 13 ? true : undefined;
    });
    await page.goto(`${base}/admin/rounds/${ROUND_ID}`);
    // assess
    expect(await page.locator('caption').count()).toBe(3);
    expect(await page.locator('tr:has-text("Liperi")').textContent()).toMatch(
      /Odottaa ehdotusta valmistelijalta .+ alkaen/,
    );
    expect(await seriousFindings(page)).toEqual([]);
    await shot('04-kierros-kaynnissa');

    // search and filter
    await page.fill('#q', 'liperi');
    await page.click('form.search button');
    expect(await page.locator('tbody tr').count()).toBe(1);

    // phone width
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${base}/admin/rounds/${ROUND_ID}`);
    const overflow = await page.evaluate(() => {
      const g = globalThis as unknown as {
        innerWidth: number;
        document: { documentElement: { scrollWidth: number } };
      };
      return g.document.documentElement.scrollWidth - g.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousFindings(page)).toEqual([]);
    await shot('05-kierros-puhelin');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('shows a nomination’s timeline beside its execution history, mails and audit trail', async () => {
    // prepare: Liperi's preparer opens the request's link (a GET: it acts on nothing)
    const mail = await until('Liperi’s request', async () =>
      (await ses.mailsSince()).find((m: SesMail) => m.to === 'riitta.lappalainen@liperi.example'),
    );
    const link = new RegExp(`${base}/l/[A-Za-z0-9_-]{43}`).exec(mail.text)?.[0] ?? '';
    const official = await browser.newPage();
    await official.goto(link);
    await official.goto(link);
    await official.close();
    await page.goto(`${base}/admin/rounds/${ROUND_ID}`);
    await page.click('a:text-is("Liperi")');
    expect(await page.locator('h1').textContent()).toBe('Liperi');
    expect(await page.locator('#tapahtumat + ol').textContent()).toContain('Ehdotuspyyntö lähetetty');
    // a headless browser right after sending, twice in a row: one visit, marked as a likely mail scanner
    expect(await page.locator('#tapahtumat + ol').textContent()).toContain(
      'Linkki avattu: ehdotuksen linkki, Riitta Lappalainen – todennäköisesti sähköpostin tarkistuspalvelu, ei vastaanottaja',
    );
    expect(await page.locator('.lead').textContent()).toContain('Odottaa ehdotusta');
    expect(await page.locator('section:has(#suoritus)').textContent()).toContain('RequestProposal');
    expect(await page.locator('table:has(#viestit-otsikko)').textContent()).toContain(
      'riitta.lappalainen@liperi.example',
    );
    expect(await seriousFindings(page)).toEqual([]);
    await shot('06-nimeaminen-aikajana');
  });

  it('does each action only when confirmed, and records it in the audit trail', async () => {
    const nominationUrl = `${base}/admin/rounds/${ROUND_ID}/m/liperi`;
    await page.goto(nominationUrl);

    // resend: not confirmed → the browser's required check stops it; bypass it to see the server's answer
    await page.locator('#resend-confirm').evaluate((el) => el.removeAttribute('required'));
    await page.click('form:has(#toiminto-resend) button[type=submit]');
    expect(await page.locator('form:has(#toiminto-resend) .field-error').textContent()).toContain('Vahvista');
    await page.check('#resend-confirm');
    await page.click('form:has(#toiminto-resend) button[type=submit]');
    await page.waitForURL(/done=resend/);
    expect(await page.locator('.notice').textContent()).toContain('Uusi linkki');

    // extend: a bad date first
    await page.fill('#f-deadline', '31.2.2030');
    await page.check('#extend-confirm');
    await page.click('form:has(#toiminto-extend) button[type=submit]');
    expect(await page.locator('form:has(#toiminto-extend) .field-error').textContent()).toContain(
      'pp.kk.vvvv',
    );
    expect(await page.locator('#f-deadline').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousFindings(page)).toEqual([]);
    await shot('07-toiminto-virhe');
    // later than the deadline (today + 59 days), before the groups start (today + 91 days)
    const extended = new Date(Date.now() + 70 * 86_400_000);
    await page.fill(
      '#f-deadline',
      `${extended.getUTCDate()}.${extended.getUTCMonth() + 1}.${extended.getUTCFullYear()}`,
    );
    await page.check('#extend-confirm');
    await page.click('form:has(#toiminto-extend) button[type=submit]');
    await page.waitForURL(/done=extend/);
    expect(await page.locator('dl.facts').textContent()).toContain('(pidennetty)');

    // cancel with a reason
    await page.fill('#f-reason', 'Kunta ilmoitti nimeävänsä edustajat myöhemmin erikseen.');
    await page.check('#cancel-confirm');
    await page.click('form:has(#toiminto-cancel) button[type=submit]');
    await page.waitForURL(/done=cancel/);
    expect(await page.locator('.lead').textContent()).toContain('Peruttu');

    // the audit trail has all three, by the admin
    const audit = (await page.locator('table:has(#loki-otsikko)').textContent()) ?? '';
    expect(audit).toContain('Ehdotus: uusi linkki lähetetty');
    expect(audit).toContain('Määräaikaa pidennetty');
    expect(audit).toContain('Nimeäminen peruttu');
    expect(await seriousFindings(page)).toEqual([]);
    await shot('08-toiminnot-tehty');

    // the CSV export answers with a file
    const csv = await page.request.get(`${base}/admin/rounds/${ROUND_ID}/export.csv`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('Liperi;Peruttu');
  });

  it('searches every round by person and state, and leads to the nomination', async () => {
    await page.goto(`${base}/admin`);
    await page.click('nav a:text-is("Haku")');
    await page.fill('#f-q', 'LAPPALAINEN');
    await page.selectOption('#status', 'cancelled');
    await page.click('form.search button');
    await page.waitForURL(/\/admin\/haku\?q=LAPPALAINEN&status=cancelled$/);
    const rows = page.locator('table:has(#tulokset-otsikko) tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Valmistelija: Riitta Lappalainen');
    expect(await seriousFindings(page)).toEqual([]);
    await shot('09-haku');

    // too short: the field says so
    await page.fill('#f-q', 'L');
    await page.click('form.search button');
    expect(await page.locator('.field-error').textContent()).toContain('vähintään 2 merkkiä');
    expect(await page.locator('#f-q').getAttribute('aria-invalid')).toBe('true');

    // a result leads to the nomination
    await page.goBack();
    await rows.first().locator('a').first().click();
    expect(await page.locator('h1').textContent()).toBe('Liperi');
  });

  it('signs an admin in on AWS through the hosted UI (a fake Cognito), and keeps a non-admin out', async () => {
    const fake = await startFakeCognito();
    const cognito = await startCognitoConsole(stack, fake);
    // a browser of its own: cookies on 127.0.0.1 are shared across ports
    const context = await browser.newContext({ locale: 'fi-FI', bypassCSP: true });
    const aws = await context.newPage();
    try {
      // act: open the console, get sent to the hosted UI, sign in there
      await aws.goto(`${cognito.url}/admin/rounds/${ROUND_ID}`);
      expect(aws.url().startsWith(`${fake.url}/oauth2/authorize?`)).toBe(true);
      expect(await aws.locator('h1').textContent()).toBe('Kirjaudu (testi-Cognito)');
      await aws.selectOption('#user', 'admin');
      await aws.click('button[type=submit]');
      // assess: back on the page first asked for, signed in
      await aws.waitForURL(`${cognito.url}/admin/rounds/${ROUND_ID}`);
      expect(await aws.locator('nav').textContent()).toContain('paivi.paakayttaja@siunsote.example');
      expect(await aws.locator('caption').count()).toBe(3);
      const [session] = (await context.cookies(`${cognito.url}/admin`)).filter(
        (c) => c.name === 'nimitys_admin',
      );
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/admin' });
      expect(await seriousFindings(aws)).toEqual([]);
      await aws.screenshot({ path: path.join(SHOTS, '10-cognito-kirjautunut.png'), fullPage: true });

      // sign out: the cookie goes, the hosted UI signs out and returns
      await aws.click('button:text-is("Kirjaudu ulos")');
      await aws.waitForURL(`${cognito.url}/admin/kirjaudu/ulos`);
      expect(await aws.locator('h1').textContent()).toBe('Olet kirjautunut ulos');
      expect((await context.cookies(`${cognito.url}/admin`)).some((c) => c.name === 'nimitys_admin')).toBe(
        false,
      );

      // a user outside the admins group: 403, no session
      await aws.goto(`${cognito.url}/admin`);
      await aws.selectOption('#user', 'viewer');
      await aws.click('button[type=submit]');
      await aws.waitForURL(/\/admin\/kirjaudu\/callback/);
      expect(await aws.locator('h1').textContent()).toBe('Ei käyttöoikeutta');
      expect(await aws.locator('table').count()).toBe(0);
      expect((await context.cookies(`${cognito.url}/admin`)).some((c) => c.name === 'nimitys_admin')).toBe(
        false,
      );
    } finally {
      await context.close();
      await cognito.close();
      await fake.close();
    }
  });

  it('signs out: the session cookie is gone and the console asks for sign-in again', async () => {
    await page.goto(`${base}/admin`);
    await page.click('button:text-is("Kirjaudu ulos")');
    const response = await page.goto(`${base}/admin`);
    expect(response?.status()).toBe(401);
  });
});
