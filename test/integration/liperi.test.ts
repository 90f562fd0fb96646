/**
 * The Liperi case on the real embedded stack: dynalite, aws-ses-v2-local, the local Step
 * Functions engine running the synthesized ASL, the HTTP bridge — through the ordinary
 * AWS SDK clients and plain HTTP, as an official's browser would.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helsinkiDate } from '../../functions/domain/time.ts';
import { createClients } from '../../local/client.ts';
import type { SesMail } from '../../local/ses-store.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import { RoundStates } from '../../workflows/states.ts';
import { liperiNominees, liperiRound } from '../fixtures/liperi.ts';
import { createMailbox } from '../support/mailbox.ts';
import { roundFile, until } from '../support/rounds.ts';

process.env.NIMITYS_LOG_LEVEL = 'silent';

describe('the Liperi case on the embedded stack', () => {
  let stack: EmbeddedStack;
  let clients: ReturnType<typeof createClients>;
  let mailbox: ReturnType<typeof createMailbox>;
  const round = { ...liperiRound(), id: `liperi-it-${Date.now().toString(36)}` };

  beforeAll(async () => {
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    clients = createClients({ waitOverrides: { [RoundStates.WaitForStartDate]: 200 } });
    mailbox = createMailbox(stack.urls);
  });

  afterAll(async () => {
    clients?.close();
    await stack?.stop();
  });

  it('runs request → proposal → approval → decision → excerpts → activation, each mail once', async () => {
    // prepare: the round is started as the CLI would
    const started = await clients.startRound(roundFile(round));
    expect(started.created).toBe(true);
    const again = await clients.startRound(roundFile(round));
    expect(again.executionArn).toBe(started.executionArn);

    // act: the preparer opens the link twice (a mail scanner first) and proposes the minute's four
    const request = await mailbox.mailTo('riitta.lappalainen@liperi.example', /nimeäminen|Pyyntö/i);
    const proposalUrl = mailbox.linkIn(request);
    for (let i = 0; i < 3; i++) expect((await fetch(proposalUrl)).status).toBe(200);
    const fields: Record<string, string> = { text: '' };
    liperiNominees().forEach((p, i) => {
      Object.assign(fields, {
        [`nominees.${i}.name`]: p.name,
        [`nominees.${i}.title`]: p.title,
        [`nominees.${i}.email`]: p.email,
        [`nominees.${i}.phone`]: p.phone ?? '',
      });
    });
    const bad = await mailbox.postLink(proposalUrl, {
      ...fields,
      'nominees.2.email': 'sami.kuikka(at)liperi',
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('nominees.2.email');
    const proposed = await mailbox.postLink(proposalUrl, fields);
    expect(proposed.status).toBe(200);
    expect((await mailbox.postLink(proposalUrl, fields)).status).toBe(410);

    // the presenter approves, the committee adopts the proposal
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

    // assess: the round runs to its end
    const execution = await until('the round to finish', async () => {
      const out = await clients.roundExecution(round.id);
      return out.status === 'RUNNING' ? undefined : out;
    });
    expect(execution.status).toBe('SUCCEEDED');
    const children = await clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArns.nomination }),
    );
    const liperi = children.executions?.find((e) => e.name === `${round.id}--liperi`);
    expect(liperi?.status).toBe('SUCCEEDED');
    const history = await clients.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: liperi?.executionArn }),
    );
    const entered = (history.events ?? []).flatMap((e) =>
      e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
    );
    expect(entered).toEqual(
      expect.arrayContaining([
        'RequestProposal',
        'RequestApproval',
        'RequestDecision',
        'SendExcerpts',
        'RecordMembers',
      ]),
    );
    const describe = await clients.sfn.send(
      new DescribeExecutionCommand({ executionArn: liperi?.executionArn }),
    );
    expect(describe.status).toBe('SUCCEEDED');

    const mails = await mailbox.ses.mailsSince();
    const recipients = mails.map((m) => m.to).sort();
    expect(recipients).toEqual(
      [
        'riitta.lappalainen@liperi.example', // proposal request
        'riitta.lappalainen@liperi.example', // approval request
        'hyvinvointilautakunta@liperi.example', // decision request
        'kirjaamo@siunsote.example', // ote
        'kunnanhallitus@liperi.example', // tiedoksi
        'eeva.elomaki@liperi.example',
        'reetta.partanen@liperi.example',
        'sami.kuikka@liperi.example',
        ...liperiNominees().map((p) => p.email), // welcome
        'kirjaamo@siunsote.example', // roster and plan
        'riitta.lappalainen@liperi.example', // the group started: notice to the municipality's presenter
      ].sort(),
    );
    const pairs = mails.map((m) => `${m.to} ${m.subject}`);
    expect(new Set(pairs).size).toBe(pairs.length);

    const ote = mails.find((m) => m.to === 'kirjaamo@siunsote.example' && /ote/i.test(m.subject)) as SesMail;
    for (const line of [
      'PÖYTÄKIRJANOTE',
      'hyvinvointilautakunta',
      'Hyvinvointilautakunta nimeää Pohjois-Karjalan hyvinvointialueen alueelliseen kumppanuusryhmään Liperin edustajiksi hyvinvointi- ja hankekoordinaattori Eeva Elomäen, vapaa-aikapäällikkö Reetta Partasen, työllisyyspalveluvastaava Sami Kuikan ja hyvinvointijohtaja Riitta Lappalaisen.',
      'Hyväksyttiin päätösehdotus.',
      'Pohjois-Karjalan hyvinvointialue',
      'Eeva Elomäki, Reetta Partanen, Sami Kuikka',
      '040 834 7185',
    ]) {
      expect(ote.text).toContain(line);
    }
    const copy = mails.find((m) => m.to === 'kunnanhallitus@liperi.example') as SesMail;
    expect(copy.subject).toMatch(/tiedoksi/i);

    // the welcome in the SES store carries the first year's plan as an .ics an independent parser reads
    const welcome = mails.find(
      (m) => m.to === 'eeva.elomaki@liperi.example' && /^Tervetuloa/.test(m.subject),
    );
    const ics =
      welcome?.attachments.find((a) => a.filename?.endsWith('.ics'))?.content.toString('utf8') ?? '';
    const events = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent');
    expect(events).toHaveLength(4);
    expect(events.map((e) => e.getFirstProperty('dtstart')?.getParameter('tzid'))).toEqual(
      Array(4).fill('Europe/Helsinki'),
    );

    // no mail, page or history carries a Step Functions task token
    const allText = JSON.stringify({ mails, history });
    expect(allText).not.toMatch(/"taskToken"\s*:/);

    const stored = await clients.listNominations(round.id);
    expect(stored).toEqual([expect.objectContaining({ municipalityId: 'liperi', status: 'completed' })]);
    expect(stored[0]?.members?.map((m) => m.name)).toEqual(liperiNominees().map((p) => p.name));
    expect(stored[0]?.decision).toMatchObject({
      outcome: 'adopted',
      section: '87',
      text: 'Hyväksyttiin päätösehdotus.',
    });
    const group = await clients.store.getGroup(round.id, 'keski-karjala');
    expect(group).toMatchObject({ status: 'active' });
    expect(group?.members).toHaveLength(4);
  });

  it('answers unknown and malformed links with 404 pages and the security headers, never 500', async () => {
    for (const path of [`/l/${'A'.repeat(43)}`, '/l/short', '/l/%2e%2e%2f%2e%2e%2fetc', '/l/<script>']) {
      const response = await fetch(`${stack.urls.http}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    const huge = await fetch(`${stack.urls.http}/l/${'A'.repeat(43)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `text=${'x'.repeat(2 * 1024 * 1024)}`,
    });
    expect(huge.status).toBe(413);
  });
});
