/**
 * The officials' link pages in real Chromium (Debian's, driven by playwright-core) on the
 * embedded stack: a scanner-style GET of every link changes nothing; a person clicks
 * through a return to the preparer, a corrected proposal, the approval and the decision;
 * used and unknown links show their 410/404 pages. axe-core runs on every page (no
 * serious or critical findings), pages fit a phone, and screenshots go to
 * test-results/links/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helsinkiDate } from '../../functions/domain/time.ts';
import { createClients } from '../../local/client.ts';
import { type SesMail, SesStore } from '../../local/ses-store.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import { liperiMinuteCheckers, liperiNominees, liperiRound, withMinuteCheckers } from '../fixtures/liperi.ts';
import { launchChromium, seriousFindings } from '../support/browser.ts';
import { roundFile, until } from '../support/rounds.ts';

process.env.NIMITYS_LOG_LEVEL = 'silent';

const SHOTS = path.resolve('test-results/links');
const PREPARER = 'riitta.lappalainen@liperi.example';
const SECRETARY = 'hyvinvointilautakunta@liperi.example';
const CHECKER_A = 'anne.aaltonen@liperi.example';
const CHECKER_B = 'pekka.pesonen@liperi.example';

describe('the link pages in Chromium', () => {
  let stack: EmbeddedStack;
  let clients: ReturnType<typeof createClients>;
  let ses: SesStore;
  let browser: Browser;
  let page: Page;
  const round = withMinuteCheckers(
    { ...liperiRound(), id: `selain-linkit-${Date.now().toString(36)}` },
    liperiMinuteCheckers(),
  );

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    const fits = await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
    await page.screenshot({ path: path.join(SHOTS, `${name}-puhelin.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(fits, `${name} fits a phone`).toBe(true);
  };
  const mail = (to: string, subject: RegExp) =>
    until(`a mail to ${to} matching ${subject}`, async () =>
      (await ses.mailsSince()).find((m) => m.to === to && subject.test(m.subject)),
    );
  const linkIn = (m: SesMail) => {
    const url = new RegExp(`${stack.urls.http}/l/[A-Za-z0-9_-]{43}`).exec(m.text)?.[0];
    if (!url) throw new Error(`No link in "${m.subject}"`);
    return url;
  };
  const open = async (url: string) => {
    const response = await page.goto(url);
    return response?.status();
  };
  const heading = () => page.locator('h1').textContent();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    clients = createClients();
    ses = new SesStore(stack.urls.ses);
    browser = await launchChromium();
    // bypassCSP only lets the test inject axe-core: the pages' own CSP allows no script.
    page = await browser.newPage({
      locale: 'fi-FI',
      viewport: { width: 1280, height: 900 },
      bypassCSP: true,
    });
    // The pages must load nothing from elsewhere.
    await page.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort());
    await clients.startRound(roundFile(round));
  });

  afterAll(async () => {
    await browser?.close();
    clients?.close();
    await stack?.stop();
  });

  it('shows the proposal form to a scanner and a person alike, and only the button acts', async () => {
    // prepare
    const url = linkIn(await mail(PREPARER, /^Pyyntö/));
    const before = await clients.store.getNomination(round.id, 'liperi');

    // act: a scanner opens it twice with a real browser engine (it runs the page)
    expect(await open(url)).toBe(200);
    expect(await open(url)).toBe(200);

    // assess
    expect(await clients.store.getNomination(round.id, 'liperi')).toEqual(before);
    expect(await heading()).toBe(round.title);
    expect(await seriousFindings(page)).toEqual([]);
    await shot('01-ehdotus');

    // a person presses the button with nothing filled in: errors in Finnish, focus on the summary
    await page.getByRole('button', { name: 'Lähetä ehdotus esittelijälle' }).click();
    await expect.poll(() => page.locator('.error-summary').isVisible()).toBe(true);
    expect(await page.locator('.error-summary').textContent()).toContain('Ehdota vähintään 1');
    expect(await page.evaluate('document.activeElement?.className')).toBe('error-summary');
    expect(await seriousFindings(page)).toEqual([]);
    await shot('02-ehdotus-virheet');

    // fills in the minute's four and sends
    for (const [i, p] of liperiNominees().entries()) {
      await page.fill(`#nominees-${i}-name`, p.name);
      await page.fill(`#nominees-${i}-title`, p.title);
      await page.fill(`#nominees-${i}-email`, p.email);
      await page.fill(`#nominees-${i}-phone`, p.phone ?? '');
    }
    await page.getByRole('button', { name: 'Lähetä ehdotus esittelijälle' }).click();
    expect(await heading()).toBe('Kiitos!');
    expect(await seriousFindings(page)).toEqual([]);
    await shot('03-kiitos');
  });

  it('lets the presenter return the proposal with a comment, which the preparer sees on the fresh link', async () => {
    const approvalUrl = linkIn(await mail(PREPARER, /^Hyväksyttävänä/));
    expect(await open(approvalUrl)).toBe(200);
    expect(await seriousFindings(page)).toEqual([]);
    await shot('04-hyvaksynta');

    await page.locator('summary', { hasText: 'Palauta valmistelijalle' }).click();
    await page.fill('#comment', 'Lisää Sami Kuikan puhelinnumero.');
    await page.getByRole('button', { name: 'Palauta valmistelijalle' }).click();
    expect(await heading()).toBe('Kiitos!');

    const again = linkIn(await mail(PREPARER, /^Palautettu valmisteluun/));
    expect(await open(again)).toBe(200);
    expect(await page.locator('.notice').textContent()).toContain('Lisää Sami Kuikan puhelinnumero.');
    expect(await page.inputValue('#nominees-2-name')).toBe('Sami Kuikka');
    expect(await seriousFindings(page)).toEqual([]);
    await shot('05-palautettu-ehdotus');
    await page.getByRole('button', { name: 'Lähetä ehdotus esittelijälle' }).click();
    expect(await heading()).toBe('Kiitos!');

    const corrected = linkIn(await mail(PREPARER, /^Korjattu ehdotus/));
    expect(await open(corrected)).toBe(200);
    await page.getByRole('button', { name: 'Hyväksy esityslistalle' }).click();
    expect(await heading()).toBe('Kiitos!');
  });

  it('lets the secretary record the decision, and shows 410 and 404 pages that say what happened', async () => {
    const decisionUrl = linkIn(await mail(SECRETARY, /^Kirjattavana/));
    expect(await open(decisionUrl)).toBe(200);
    expect(await seriousFindings(page)).toEqual([]);
    await shot('06-paatos');

    await page.fill('#meetingDate', helsinkiDate(new Date()));
    await page.fill('#section', '87');
    await page.check('#outcome');
    await page.getByRole('button', { name: 'Tallenna päätös' }).click();
    expect(await heading()).toBe('Kiitos!');
    await shot('07-paatos-kirjattu');

    expect(await open(decisionUrl)).toBe(410);
    expect(await heading()).toBe('Tämä on jo tehty');
    expect(await page.locator('main').textContent()).toContain(
      'Päätös kirjattiin: hyväksyttiin päätösehdotus.',
    );
    expect(await seriousFindings(page)).toEqual([]);
    await shot('08-jo-tehty');

    const tampered = `${decisionUrl.slice(0, -2)}${decisionUrl.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await open(tampered)).toBe(404);
    expect(await heading()).toBe('Linkki ei ole voimassa');
    expect(await seriousFindings(page)).toEqual([]);
    await shot('09-tuntematon-linkki');
  });

  it('lets each minute checker approve the section on their own page; the excerpt waits for both', async () => {
    const first = linkIn(await mail(CHECKER_A, /^Tarkastettavana/));
    expect(await open(first)).toBe(200);
    expect(await heading()).toBe('Tarkasta pöytäkirjan pykälä');
    expect(await page.locator('main').textContent()).toContain('Hyväksyttiin päätösehdotus.');
    expect(await seriousFindings(page)).toEqual([]);
    await shot('10-poytakirjan-tarkastus');

    // an objection without a comment: the field is named, nothing moves
    await page.locator('summary', { hasText: 'Pykälässä on korjattavaa' }).click();
    await page.getByRole('button', { name: 'Lähetä korjauspyyntö sihteerille' }).click();
    expect(await page.locator('.error-summary, [role="alert"]').first().textContent()).toMatch(
      /korja|Kirjoita/i,
    );
    expect(await seriousFindings(page)).toEqual([]);
    await shot('11-tarkastus-virhe');
    expect((await clients.store.getNomination(round.id, 'liperi'))?.status).toBe('awaiting_minute_check');

    await open(first);
    await page.getByRole('button', { name: 'Hyväksy pykälä tarkastetuksi' }).click();
    expect(await heading()).toBe('Kiitos!');
    expect(await page.locator('main').textContent()).toContain('kun kaikki tarkastajat ovat hyväksyneet');
    await shot('12-tarkastus-hyvaksytty');
    expect((await clients.store.getNomination(round.id, 'liperi'))?.status).toBe('awaiting_minute_check');

    const second = linkIn(await mail(CHECKER_B, /^Tarkastettavana/));
    expect(await open(second)).toBe(200);
    expect(await page.locator('main').textContent()).toContain('Anne Aaltonen: hyväksynyt');
    await page.getByRole('button', { name: 'Hyväksy pykälä tarkastetuksi' }).click();
    expect(await heading()).toBe('Kiitos!');

    await until('the nomination to finish', async () => {
      const n = await clients.store.getNomination(round.id, 'liperi');
      return n && ['excerpts_sent', 'completed'].includes(n.status) ? n : undefined;
    });
  });
});
