/**
 * Minutes checking on the real embedded stack (dynalite, local SES, the local Step
 * Functions engine running the synthesized ASL, the HTTP bridge): Liperi lists two minute
 * checkers; the excerpt waits until both have approved through their own links; an
 * objection sends the decision back to the committee secretary and the check starts anew.
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../local/client.ts';
import { localStateMachineArn } from '../../local/endpoints.ts';
import { nomineeFields } from '../../local/officials.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import { RoundStates } from '../../workflows/states.ts';
import { liperiMinuteCheckers, liperiNominees, liperiRound, withMinuteCheckers } from '../fixtures/liperi.ts';
import { createMailbox } from '../support/mailbox.ts';
import { roundFile, until } from '../support/rounds.ts';

const PREPARER = 'riitta.lappalainen@liperi.example';
const SECRETARY = 'hyvinvointilautakunta@liperi.example';
const CHECKER_A = 'anne.aaltonen@liperi.example';
const CHECKER_B = 'pekka.pesonen@liperi.example';
const COUNTY_REGISTRY = 'kirjaamo@siunsote.example';

describe('minutes checking on the embedded stack', () => {
  let stack: EmbeddedStack;
  let clients: ReturnType<typeof createClients>;
  let mailbox: ReturnType<typeof createMailbox>;
  const round = withMinuteCheckers(
    { ...liperiRound(), id: `minutes-it-${Date.now().toString(36)}` },
    liperiMinuteCheckers(),
  );
  const today = new Date().toISOString().slice(0, 10);
  const decision = (section: string) => ({
    outcome: 'adopted',
    meetingDate: today,
    section,
    text: 'Hyväksyttiin päätösehdotus.',
  });
  const nomination = () => clients.store.getNomination(round.id, 'liperi');
  const mailsTo = async (to: string) => (await mailbox.ses.mailsSince()).filter((m) => m.to === to);
  const nth = (to: string, subject: RegExp, n: number) =>
    until(`mail ${n} to ${to} matching ${subject}`, async () => {
      const matching = (await mailsTo(to)).filter((m) => subject.test(m.subject));
      return matching.length >= n ? matching[n - 1] : undefined;
    });
  const status = (want: string) =>
    until(`nomination ${want}`, async () => ((await nomination())?.status === want ? want : undefined));

  beforeAll(async () => {
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    clients = createClients({ waitOverrides: { [RoundStates.WaitForStartDate]: 200 } });
    mailbox = createMailbox(stack.urls);
    await clients.startRound(roundFile(round));
    // proposal, approval, decision
    const proposal = mailbox.linkIn(await nth(PREPARER, /^Pyyntö/, 1));
    expect((await mailbox.postLink(proposal, { ...nomineeFields(liperiNominees()), text: '' })).status).toBe(
      200,
    );
    const approval = mailbox.linkIn(await nth(PREPARER, /^Hyväksyttävänä/, 1));
    expect((await mailbox.postLink(approval, { action: 'approve' })).status).toBe(200);
    const record = mailbox.linkIn(await nth(SECRETARY, /^Kirjattavana/, 1));
    expect((await mailbox.postLink(record, decision('87'))).status).toBe(200);
  });

  afterAll(async () => {
    clients?.close();
    await stack?.stop();
  });

  it('mails each checker a link of their own and holds the excerpt until all have approved', async () => {
    // prepare
    const [mailA, mailB] = [
      await nth(CHECKER_A, /^Tarkastettavana: .*§ 87$/, 1),
      await nth(CHECKER_B, /^Tarkastettavana: .*§ 87$/, 1),
    ];
    const [linkA, linkB] = [mailbox.linkIn(mailA), mailbox.linkIn(mailB)];

    // act: the first checker approves
    const approved = await mailbox.postLink(linkA, { action: 'approve' });
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // assess: the workflow still waits, no excerpt went out, the other's page shows the approval
    expect(linkA).not.toBe(linkB);
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('kun kaikki tarkastajat ovat hyväksyneet');
    expect((await nomination())?.status).toBe('awaiting_minute_check');
    expect(await mailsTo(COUNTY_REGISTRY)).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ subject: expect.stringMatching(/^Ote: /) })]),
    );
    const pageB = await (await fetch(linkB)).text();
    expect(pageB).toContain('Anne Aaltonen: hyväksynyt');
    expect((await fetch(linkA)).status).toBe(410);
  });

  it('sends an objection back to the secretary; the corrected section is checked anew, then the excerpt goes', async () => {
    // act: the second checker objects
    const linkB = mailbox.linkIn(await nth(CHECKER_B, /^Tarkastettavana/, 1));
    const objection = await mailbox.postLink(linkB, { action: 'return', comment: 'Pykälä on 88, ei 87.' });
    const again = await nth(SECRETARY, /^Korjattavaa pöytäkirjassa: /, 1);
    const corrected = await mailbox.postLink(mailbox.linkIn(again), decision('88'));
    const [recheckA, recheckB] = [
      await nth(CHECKER_A, /^Korjattu pykälä: .*§ 88$/, 1),
      await nth(CHECKER_B, /^Korjattu pykälä: .*§ 88$/, 1),
    ];
    await Promise.all([
      mailbox.postLink(mailbox.linkIn(recheckA), { action: 'approve' }),
      mailbox.postLink(mailbox.linkIn(recheckB), { action: 'approve' }),
    ]);
    await status('completed');
    const executionArn = `${localStateMachineArn('Nomination').replace(':stateMachine:', ':execution:')}:${round.id}--liperi`;
    const succeeded = await until('the nomination execution to succeed', async () => {
      const { status } = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return status === 'SUCCEEDED' ? status : undefined;
    });

    // assess
    expect(objection.status).toBe(200);
    expect(again.text).toContain('Pykälä on 88, ei 87.');
    expect(corrected.status).toBe(200);
    expect(succeeded).toBe('SUCCEEDED');
    const excerpts = (await mailsTo(COUNTY_REGISTRY)).filter((m) => /^Ote: /.test(m.subject));
    expect(excerpts).toHaveLength(1);
    expect(excerpts[0]?.text).toContain('§ 88');
    // each checker: the first request and the corrected section, nothing twice
    for (const checker of [CHECKER_A, CHECKER_B]) {
      expect((await mailsTo(checker)).map((m) => m.subject.replace(/:.*/, ''))).toEqual([
        'Tarkastettavana',
        'Korjattu pykälä',
      ]);
    }
    const check = (await nomination())?.minuteCheck;
    expect(check?.approvals.map((a) => a.email).sort()).toEqual([CHECKER_A, CHECKER_B]);
    expect(check?.objection).toBeUndefined();
  });
});
