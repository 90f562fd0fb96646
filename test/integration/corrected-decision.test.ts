/**
 * The corrected decision on the real embedded stack: the Liperi case runs to its end (the
 * group starts), then an admin records a corrected decision in the console over plain HTTP;
 * the mails are read back from the local SES store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfToken } from '../../functions/admin/auth.ts';
import { helsinkiDate } from '../../functions/domain/time.ts';
import type { Person } from '../../functions/domain/types.ts';
import { createClients } from '../../local/client.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import { RoundStates } from '../../workflows/states.ts';
import { liperiNominees, liperiRound } from '../fixtures/liperi.ts';
import { createMailbox } from '../support/mailbox.ts';
import { roundFile, until } from '../support/rounds.ts';

process.env.NIMITYS_LOG_LEVEL = 'silent';

const ORGANISER_REGISTRY = 'kirjaamo@siunsote.example';
const SUCCESSOR: Person = {
  name: 'Tuomas Tanskanen',
  title: 'työllisyyskoordinaattori',
  email: 'tuomas.tanskanen@liperi.example',
};

function nomineeFields(people: Person[]): Record<string, string> {
  const fields: Record<string, string> = {};
  people.forEach((p, i) => {
    fields[`nominees.${i}.name`] = p.name;
    fields[`nominees.${i}.title`] = p.title;
    fields[`nominees.${i}.email`] = p.email;
    fields[`nominees.${i}.phone`] = p.phone ?? '';
  });
  return fields;
}

describe('a corrected decision recorded in the admin console', () => {
  let stack: EmbeddedStack;
  let clients: ReturnType<typeof createClients>;
  let mailbox: ReturnType<typeof createMailbox>;
  let session: string;
  let csrf: string;
  const round = { ...liperiRound(), id: `correct-it-${Date.now().toString(36)}` };
  const nominationPath = () => `${stack.urls.http}/admin/rounds/${round.id}/m/liperi`;

  const correct = (fields: Record<string, string>) =>
    fetch(`${nominationPath()}/correct`, {
      method: 'POST',
      headers: {
        cookie: `nimitys_admin=${session}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ csrf, ...fields }).toString(),
      redirect: 'manual',
    });
  const correctedFields = (): Record<string, string> => ({
    outcome: 'adopted_with_changes',
    meetingDate: helsinkiDate(new Date()),
    section: '87',
    text: 'Hyväksyttiin päätösehdotus muutettuna: Sami Kuikan tilalle nimettiin Tuomas Tanskanen.',
    ...nomineeFields(liperiNominees().map((p) => (p.name === 'Sami Kuikka' ? SUCCESSOR : p))),
    confirm: 'yes',
  });

  beforeAll(async () => {
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    clients = createClients({ waitOverrides: { [RoundStates.WaitForStartDate]: 200 } });
    mailbox = createMailbox(stack.urls);

    // The Liperi case to its end: proposal, approval, adoption, excerpts, the group's start.
    await clients.startRound(roundFile(round));
    const request = await mailbox.mailTo('riitta.lappalainen@liperi.example', /nimeäminen|Pyyntö/i);
    expect(
      (await mailbox.postLink(mailbox.linkIn(request), { text: '', ...nomineeFields(liperiNominees()) }))
        .status,
    ).toBe(200);
    const approval = await mailbox.mailTo('riitta.lappalainen@liperi.example', /hyväksy/i);
    expect((await mailbox.postLink(mailbox.linkIn(approval), { action: 'approve' })).status).toBe(200);
    const decisionMail = await mailbox.mailTo('hyvinvointilautakunta@liperi.example', /päätö/i);
    const decided = await mailbox.postLink(mailbox.linkIn(decisionMail), {
      outcome: 'adopted',
      meetingDate: helsinkiDate(new Date()),
      section: '87',
      text: 'Hyväksyttiin päätösehdotus.',
    });
    expect(decided.status).toBe(200);
    const execution = await until('the round to finish', async () => {
      const out = await clients.roundExecution(round.id);
      return out.status === 'RUNNING' ? undefined : out;
    });
    expect(execution.status).toBe('SUCCEEDED');

    const signedIn = await fetch(`${stack.urls.http}/admin/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'admin', password: stack.admin.password ?? '' }).toString(),
      redirect: 'manual',
    });
    session = /nimitys_admin=([^;]+)/.exec(signedIn.headers.get('set-cookie') ?? '')?.[1] ?? '';
    csrf = csrfToken(stack.admin.credential.sessionSecret, session);
  }, 120_000);

  afterAll(async () => {
    clients?.close();
    await stack?.stop();
  });

  it('offers the correction on the nomination page, prefilled from the decision in force', async () => {
    // act
    const response = await fetch(nominationPath(), { headers: { cookie: `nimitys_admin=${session}` } });
    // assess
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('Kirjaa oikaistu päätös');
    expect(page).toContain(`action="/admin/rounds/${round.id}/m/liperi/correct"`);
    expect(page).toMatch(/name="nominees\.2\.name" maxlength="200" value="Sami Kuikka"/);
    expect(page).toMatch(/name="section" maxlength="12" value="87"/);
  });

  it('shows the Finnish errors by field and sends nothing when the corrected decision is invalid, or not confirmed', async () => {
    // prepare
    const before = (await mailbox.ses.mailsSince()).length;
    // act
    const invalid = await correct({ ...correctedFields(), section: 'kahdeksan', 'nominees.3.email': 'x@' });
    const unconfirmed = await correct({ ...correctedFields(), confirm: '' });
    const forged = await correct({ ...correctedFields(), csrf: 'nope' });
    // assess
    expect(invalid.status).toBe(422);
    const page = await invalid.text();
    expect(page).toContain('section: Pykälän numerossa voi olla vain numeroita');
    expect(page).toContain('nominees.3.email: Sähköpostiosoite ei ole kelvollinen.');
    expect(page).toContain('value="kahdeksan"');
    expect(unconfirmed.status).toBe(422);
    expect(await unconfirmed.text()).toContain('Vahvista toiminto rastittamalla ruutu.');
    expect(forged.status).toBe(403);
    expect((await mailbox.ses.mailsSince()).length).toBe(before);
    const stored = await clients.store.getNomination(round.id, 'liperi');
    expect(stored?.previousDecisions).toBeUndefined();
    expect(stored?.decision?.nominees.map((p) => p.name)).toContain('Sami Kuikka');
  });

  it('sends the corrected excerpt to the same recipients and the successor, a farewell and a welcome, each once', async () => {
    // prepare
    const before = (await mailbox.ses.mailsSince()).length;
    // act: the correction, and the same form posted again
    const response = await correct(correctedFields());
    const again = await correct(correctedFields());
    // assess
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/admin/rounds/${round.id}/m/liperi?done=correct`);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`/admin/rounds/${round.id}/m/liperi?done=correct-repeat`);

    // the SendCorrection execution sends the mails: 6 corrected excerpts, a farewell, a welcome, the roster
    const added = await until('the correction’s nine mails', async () => {
      const mails = (await mailbox.ses.mailsSince()).slice(before);
      return mails.length >= 9 ? mails : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more arrives
    expect((await mailbox.ses.mailsSince()).slice(before)).toHaveLength(9);
    const corrected = added.filter((m) => m.subject.startsWith('Oikaistu'));
    expect(corrected.map((m) => m.to).sort()).toEqual(
      [
        ORGANISER_REGISTRY,
        'kunnanhallitus@liperi.example',
        'eeva.elomaki@liperi.example',
        'reetta.partanen@liperi.example',
        'sami.kuikka@liperi.example',
        SUCCESSOR.email,
      ].sort(),
    );
    const toCounty = corrected.find((m) => m.to === ORGANISER_REGISTRY);
    expect(toCounty?.text).toContain('OIKAISTU PÖYTÄKIRJANOTE');
    expect(toCounty?.text).toContain('Sami Kuikan tilalle nimettiin Tuomas Tanskanen.');
    expect(toCounty?.attachments.map((a) => a.filename)).toEqual([
      expect.stringMatching(/^oikaistu-poytakirjanote-.*\.pdf$/),
    ]);

    const others = added.filter((m) => !m.subject.startsWith('Oikaistu'));
    expect(others.map((m) => m.to).sort()).toEqual(
      [ORGANISER_REGISTRY, 'sami.kuikka@liperi.example', SUCCESSOR.email].sort(),
    );
    const farewell = others.find((m) => m.to === 'sami.kuikka@liperi.example');
    expect(farewell?.text).toContain('Tilallesi on nimetty työllisyyskoordinaattori Tuomas Tanskanen.');
    const welcome = others.find((m) => m.to === SUCCESSOR.email);
    expect(welcome?.text).toContain('Sami Kuikka tilalle');
    expect(welcome?.attachments.some((a) => a.filename?.endsWith('.ics'))).toBe(true);
    const pairs = added.map((m) => `${m.to} ${m.subject}`);
    expect(new Set(pairs).size).toBe(pairs.length);

    const stored = await clients.store.getNomination(round.id, 'liperi');
    expect(stored?.decision).toMatchObject({ outcome: 'adopted_with_changes', recordedBy: 'admin' });
    expect(stored?.previousDecisions).toHaveLength(1);
    expect(stored?.members?.map((p) => p.name)).toContain(SUCCESSOR.name);
    const group = await clients.store.getGroup(round.id, 'keski-karjala');
    expect(group?.members.map((m) => m.name)).toContain(SUCCESSOR.name);
    expect(group?.members.map((m) => m.name)).not.toContain('Sami Kuikka');
    const audit = await clients.store.listAudit(round.id, 'liperi');
    expect(audit.filter((a) => a.action === 'decision-corrected')).toEqual([
      expect.objectContaining({ actor: 'admin' }),
    ]);
    const page = await (
      await fetch(`${nominationPath()}?done=correct`, { headers: { cookie: `nimitys_admin=${session}` } })
    ).text();
    expect(page).toContain('Oikaistu päätös on kirjattu.');
    expect(page).toContain('Päätös oikaistu');
    expect(page).toContain(`${round.id}--liperi-correction-1`);
  });
});
