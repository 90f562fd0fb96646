/**
 * Officials' links on the real embedded stack (dynalite, local SES, the local Step
 * Functions engine running the synthesized ASL, the HTTP bridge), driven as a mail
 * scanner and as people would drive them: GET never acts, only a POST with the page's
 * CSRF value does, fifty simultaneous POSTs act once, used/superseded links answer 410
 * saying what, who and when, and no engine task token ever reaches a mail, page,
 * header or log line. The Liperi nomination goes through a return to the preparer, a
 * tabling, a hand-off to a substitute and an adoption.
 */
import { GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { helsinkiDate } from '../../functions/domain/time.ts';
import type { OfficialStep } from '../../functions/domain/types.ts';
import { createClients } from '../../local/client.ts';
import { type SesMail, SesStore } from '../../local/ses-store.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import { RoundStates } from '../../workflows/states.ts';
import { liperiNominees, liperiRound } from '../fixtures/liperi.ts';
import { roundFile, until } from '../support/rounds.ts';

// Logs on (another suite in this worker may have silenced them): the test reads every line.
vi.hoisted(() => {
  process.env.NIMITYS_LOG_LEVEL = 'info';
});

const PREPARER = 'riitta.lappalainen@liperi.example';
const SECRETARY = 'hyvinvointilautakunta@liperi.example';
const SUBSTITUTE = 'sihteeri.sijainen@liperi.example';

function nomineeFields(): Record<string, string> {
  const fields: Record<string, string> = { text: '' };
  liperiNominees().forEach((p, i) => {
    Object.assign(fields, {
      [`nominees.${i}.name`]: p.name,
      [`nominees.${i}.title`]: p.title,
      [`nominees.${i}.email`]: p.email,
      [`nominees.${i}.phone`]: p.phone ?? '',
    });
  });
  return fields;
}

describe('links on the embedded stack', () => {
  let stack: EmbeddedStack;
  let clients: ReturnType<typeof createClients>;
  let ses: SesStore;
  const round = { ...liperiRound(), id: `links-it-${Date.now().toString(36)}` };
  /** Everything a browser or scanner received: bodies and headers. */
  const seen: string[] = [];
  /** Every task token the engine issued for the waits, read from the backend. */
  const taskTokens = new Set<string>();
  /** Every log line written while the stack ran. */
  const logLines: string[] = [];
  const writes = { out: process.stdout.write, err: process.stderr.write };

  const record = async (response: Response) => {
    const body = await response.text();
    seen.push(body, JSON.stringify([...response.headers]));
    return { status: response.status, body, headers: response.headers };
  };
  const get = async (url: string, init?: RequestInit) => record(await fetch(url, init));
  const postRaw = async (url: string, fields: Record<string, string>) =>
    record(
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'links-it' },
        body: new URLSearchParams(fields).toString(),
      }),
    );
  const csrfOf = (page: string) => /name="csrf" value="([^"]*)"/.exec(page)?.[1] ?? '';
  /** The hidden fields a browser posts back from the page: the CSRF value and where the link acts. */
  const hiddenOf = (page: string) => ({
    csrf: csrfOf(page),
    target: /name="target" value="([^"]*)"/.exec(page)?.[1] ?? '',
  });
  /** As a person does it: open the page, fill in, press the button. */
  const post = async (url: string, fields: Record<string, string>) =>
    postRaw(url, { ...hiddenOf((await get(url)).body), ...fields });

  const mailsTo = async (to: string) => (await ses.mailsSince()).filter((m) => m.to === to);
  const nextMail = (to: string, subject: RegExp, after = 0) =>
    until(`mail ${after + 1} to ${to} matching ${subject}`, async () => {
      const matching = (await mailsTo(to)).filter((m) => subject.test(m.subject));
      return matching.length > after ? matching[after] : undefined;
    });
  const linkIn = (mail: SesMail) => {
    const url = new RegExp(`${stack.urls.http}/l/[A-Za-z0-9_-]{43}`).exec(mail.text)?.[0];
    if (!url) throw new Error(`No link in "${mail.subject}"`);
    return url;
  };
  const nomination = () => clients.store.getNomination(round.id, 'liperi');
  const rememberToken = async (step: OfficialStep) => {
    const wait = await until(`the ${step} wait`, () => clients.store.getWait(round.id, 'liperi', step));
    taskTokens.add(wait.taskToken);
  };

  beforeAll(async () => {
    const capture = ((chunk: string | Uint8Array) => {
      logLines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    clients = createClients({ waitOverrides: { [RoundStates.WaitForStartDate]: 200 } });
    ses = new SesStore(stack.urls.ses);
    await clients.startRound(roundFile(round));
  });

  afterAll(async () => {
    clients?.close();
    await stack?.stop();
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  });

  let proposalUrl = '';

  it('shows a page on any number of GETs and HEADs and changes nothing; the page carries the security headers', async () => {
    // prepare
    proposalUrl = linkIn(await nextMail(PREPARER, /^Pyyntö/));
    await rememberToken('proposal');
    const before = await nomination();

    // act: a scanner fetches the link again and again
    const pages = await Promise.all(Array.from({ length: 10 }, () => get(proposalUrl)));
    const head = await fetch(proposalUrl, { method: 'HEAD' });

    // assess
    expect(pages.map((p) => p.status)).toEqual(Array(10).fill(200));
    expect(head.status).toBe(200);
    expect(await nomination()).toEqual(before);
    const headers = pages[0]?.headers;
    expect(headers?.get('cache-control')).toBe('no-store');
    expect(headers?.get('referrer-policy')).toBe('no-referrer');
    expect(headers?.get('x-frame-options')).toBe('DENY');
    expect(headers?.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(pages[0]?.body).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)[^"\s]*\.(css|js)/);
  });

  it('refuses a POST without the CSRF value of the page, or with a wrong one (403), and nothing moves', async () => {
    const missing = await postRaw(proposalUrl, nomineeFields());
    const wrong = await postRaw(proposalUrl, { ...nomineeFields(), csrf: 'A'.repeat(22) });
    expect([missing.status, wrong.status]).toEqual([403, 403]);
    expect(missing.body).toContain('Avaa linkki uudelleen');
    expect((await nomination())?.status).toBe('awaiting_proposal');
  });

  it('re-shows the form with Finnish messages for bad input, escaping markup, and stores nothing', async () => {
    const markup = await post(proposalUrl, {
      ...nomineeFields(),
      'nominees.1.name': '<script>alert(1)</script>',
      'nominees.1.email': '"><img src=x>',
    });
    const control = await post(proposalUrl, { ...nomineeFields(), 'nominees.0.title': 'Johtaja\u0007' });
    const twice = await post(proposalUrl, {
      ...nomineeFields(),
      'nominees.3.email': 'eeva.elomaki@liperi.example',
    });
    const huge = await postRaw(proposalUrl, { ...nomineeFields(), text: 'x'.repeat(70 * 1024) });

    expect([markup.status, control.status, twice.status, huge.status]).toEqual([422, 422, 422, 413]);
    expect(markup.body).not.toContain('<script>alert(1)</script>');
    expect(markup.body).toContain('&lt;script&gt;');
    expect(markup.body).not.toContain('"><img');
    expect(markup.body).toContain('Sähköpostiosoite ei ole kelvollinen.');
    expect(control.body).toContain('Kentässä on merkkejä');
    expect(twice.body).toContain('Sama henkilö on ehdotettu kahdesti.');
    expect((await nomination())?.status).toBe('awaiting_proposal');
  });

  it('acts exactly once for fifty simultaneous POSTs; the others hear it was already done, by whom and when', async () => {
    // prepare: fifty tabs of the same page
    const hidden = hiddenOf((await get(proposalUrl)).body);
    expect(hidden.target).toBe(`${round.id}/liperi/proposal`);

    // act
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => postRaw(proposalUrl, { ...nomineeFields(), ...hidden })),
    );

    // assess
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 410)).toHaveLength(49);
    const later = await get(proposalUrl);
    expect(later.status).toBe(410);
    expect(later.body).toContain('Tämä on jo tehty');
    expect(later.body).toContain('Ehdotus lähetettiin esittelijälle.');
    expect(later.body).toContain('Riitta Lappalainen');
    expect(later.body).toMatch(/\d{1,2}\.\d{1,2}\.\d{4} klo/);
    const approvals = await until('the approval request', async () => {
      const found = (await mailsTo(PREPARER)).filter((m) => /^Hyväksyttävänä/.test(m.subject));
      return found.length > 0 ? found : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(approvals).toHaveLength(1);
    const audit = await clients.store.listAudit(round.id, 'liperi');
    expect(audit.filter((a) => a.action === 'proposal-submitted')).toEqual([
      expect.objectContaining({
        actor: PREPARER,
        userAgent: 'links-it',
        clientIpHash: expect.stringMatching(/^[0-9a-f]{32}$/),
      }),
    ]);
  });

  it('returns the proposal to the preparer with a comment; the fresh link shows it, the old one is used', async () => {
    await rememberToken('approval');
    const approvalUrl = linkIn(await nextMail(PREPARER, /^Hyväksyttävänä/));
    const page = await get(approvalUrl);
    expect(page.body).toContain('Palauta valmistelijalle');

    const returned = await post(approvalUrl, { action: 'return', comment: 'Lisää <b>puhelinnumerot</b>.' });
    expect(returned.status).toBe(200);

    const again = await nextMail(PREPARER, /^Palautettu valmisteluun/);
    expect(again.text).toContain('Lisää <b>puhelinnumerot</b>.');
    expect(again.html).toContain('Lisää &lt;b&gt;puhelinnumerot&lt;/b&gt;.');
    const secondProposal = linkIn(again);
    expect(secondProposal).not.toBe(proposalUrl);
    await until('the second proposal wait', async () => {
      const wait = await clients.store.getWait(round.id, 'liperi', 'proposal');
      return wait?.attempt === 2 ? wait : undefined;
    });
    await rememberToken('proposal');
    const form = await get(secondProposal);
    expect(form.status).toBe(200);
    expect(form.body).toContain('Ehdotus palautettiin korjattavaksi');
    expect(form.body).toContain('Lisää &lt;b&gt;puhelinnumerot&lt;/b&gt;.');
    expect((await get(proposalUrl)).status).toBe(410);

    expect((await post(secondProposal, nomineeFields())).status).toBe(200);
    const approval2 = linkIn(await nextMail(PREPARER, /^Korjattu ehdotus: Hyväksyttävänä/));
    await rememberToken('approval');
    expect((await post(approval2, { action: 'approve' })).status).toBe(200);
  });

  it('tables the item, then hands the new link to a substitute who records the adoption; the old links answer 410', async () => {
    const decisionUrl = linkIn(await nextMail(SECRETARY, /^Kirjattavana/));
    await rememberToken('decision');
    const today = helsinkiDate(new Date());
    const tabled = await post(decisionUrl, {
      outcome: 'tabled',
      meetingDate: today,
      section: '80',
      nextMeetingDate: '2099-01-15',
      text: '',
    });
    expect(tabled.status).toBe(200);

    const secondDecision = linkIn(await nextMail(SECRETARY, /^Pöydätty/));
    await until('the second decision wait', async () => {
      const wait = await clients.store.getWait(round.id, 'liperi', 'decision');
      return wait?.attempt === 2 ? wait : undefined;
    });
    await rememberToken('decision');
    expect((await get(secondDecision)).body).toContain('Asia pantiin pöydälle');

    const handed = await post(secondDecision, {
      handoff: '1',
      substituteName: 'Sanni Sijainen',
      substituteEmail: SUBSTITUTE,
    });
    expect(handed.status).toBe(200);
    expect(handed.body).toContain('Sanni Sijainen');
    const gone = await get(secondDecision);
    expect(gone.status).toBe(410);
    expect(gone.body).toContain('Tehtävä siirrettiin sijaiselle.');

    const substituteUrl = linkIn(await nextMail(SUBSTITUTE, /^Siirretty sinulle/));
    const adopted = await post(substituteUrl, {
      outcome: 'adopted',
      meetingDate: today,
      section: '87',
      text: 'Hyväksyttiin päätösehdotus.',
    });
    expect(adopted.status).toBe(200);

    const liperi = await until(
      'the nomination to complete',
      async () => {
        const out = await clients.sfn.send(
          new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArns.nomination }),
        );
        const execution = out.executions?.find((e) => e.name === `${round.id}--liperi`);
        return execution?.status === 'RUNNING' ? undefined : execution;
      },
      30_000,
    );
    expect(liperi.status).toBe('SUCCEEDED');
    expect((await nomination())?.decision).toMatchObject({ outcome: 'adopted', section: '87' });
    const actions = (await clients.store.listAudit(round.id, 'liperi')).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'proposal-submitted',
        'approval-returned',
        'approval-approved',
        'decision-tabled',
        'decision-handed-to-substitute',
        'decision-adopted',
      ]),
    );
    const history = await clients.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: liperi.executionArn }),
    );
    const entered = (history.events ?? []).flatMap((e) =>
      e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
    );
    expect(entered.filter((n) => n === 'RequestProposal')).toHaveLength(2);
    expect(entered.filter((n) => n === 'RequestDecision')).toHaveLength(2);
  });

  it('answers tampered and unknown tokens with 404, and leaks no task token anywhere', async () => {
    const valid = proposalUrl.split('/l/')[1] as string;
    const tampered = `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [`/l/${tampered}`, `/l/${valid}x`, '/l/', '/l/%00', `/l/${'-'.repeat(43)}`]) {
      const page = await get(`${stack.urls.http}${path}`);
      expect(page.status, path).toBe(404);
    }
    const notFound = await get(`${stack.urls.http}/l/${tampered}`);
    expect(notFound.body).toContain('Linkki ei ole voimassa');

    // assess: the engine issued tokens; none of them is in a mail (text, html, raw), page,
    // header or log line. (The execution history, inside the backend, holds them as AWS's does.)
    expect(taskTokens.size).toBeGreaterThanOrEqual(5);
    expect(logLines.join('')).toContain('"message":"step done"');
    const mails = await ses.mailsSince();
    const raws = await Promise.all(mails.map((m) => ses.eml(m.messageId)));
    const haystacks = [
      ...mails.map((m) => `${m.subject}\n${m.text}\n${m.html}`),
      ...raws.map((r) => r.toString('utf8')),
      ...seen,
      logLines.join(''),
    ];
    for (const token of taskTokens) {
      expect(token.length).toBeGreaterThan(10);
      for (const haystack of haystacks) expect(haystack.includes(token)).toBe(false);
    }
  });
});
