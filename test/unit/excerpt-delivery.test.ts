/** Delivery with proof, on the in-memory fakes: outbox state per recipient, failures, SES events, corrections, the public notice. */
import { beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../functions/domain/errors.ts';
import { parseSesEvent } from '../../functions/domain/mail-events.ts';
import type { Nomination } from '../../functions/domain/types.ts';
import {
  excerptDeliveries,
  sendCorrectedExcerpts,
  sendExcerpts,
} from '../../functions/use-cases/excerpts.ts';
import { recordMailEvent } from '../../functions/use-cases/mail-events.ts';
import { publicNoticeOf } from '../../functions/use-cases/public-notice.ts';
import { memoryDeps } from '../fakes/memory.ts';
import { liperiDecision, liperiNominees, liperiProposal, liperiRound } from '../fixtures/liperi.ts';

/** SES event publishing payloads (configuration set → SNS), trimmed to the fields SES always sends. */
function sesEvent(eventType: 'Delivery' | 'Bounce' | 'Complaint' | 'Send', messageId: string) {
  const mail = {
    timestamp: '2023-11-21T08:00:00.000Z',
    source: 'nimitys@nimitys.example',
    sourceArn: 'arn:aws:ses:eu-north-1:123456789012:identity/nimitys@nimitys.example',
    sendingAccountId: '123456789012',
    messageId,
    destination: ['sami.kuikka@liperi.example'],
    headersTruncated: false,
    tags: { 'ses:configuration-set': ['NimitysMailEvents'] },
  };
  switch (eventType) {
    case 'Delivery':
      return {
        eventType,
        mail,
        delivery: {
          timestamp: '2023-11-21T08:00:02.133Z',
          processingTimeMillis: 2133,
          recipients: ['sami.kuikka@liperi.example'],
          smtpResponse: '250 2.6.0 Message received',
          reportingMTA: 'a8-70.smtp-out.amazonses.com',
        },
      };
    case 'Bounce':
      return {
        eventType,
        mail,
        bounce: {
          feedbackId: '0100018bf1b0-bounce-000000',
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [
            {
              emailAddress: 'sami.kuikka@liperi.example',
              action: 'failed',
              status: '5.1.1',
              diagnosticCode: 'smtp; 550 5.1.1 <sami.kuikka@liperi.example>: Recipient address rejected',
            },
          ],
          timestamp: '2023-11-21T08:00:03.000Z',
          reportingMTA: 'dns; a8-70.smtp-out.amazonses.com',
        },
      };
    case 'Complaint':
      return {
        eventType,
        mail,
        complaint: {
          feedbackId: '0100018bf1b0-complaint-000000',
          complaintSubType: null,
          complainedRecipients: [{ emailAddress: 'sami.kuikka@liperi.example' }],
          timestamp: '2023-11-21T09:00:00.000Z',
          userAgent: 'Mozilla/5.0',
          complaintFeedbackType: 'abuse',
          arrivalDate: '2023-11-21T09:00:00.000Z',
        },
      };
    case 'Send':
      return { eventType, mail, send: {} };
  }
}

describe('sending the excerpts with proof', () => {
  let deps: ReturnType<typeof memoryDeps>;
  const round = liperiRound();
  const ref = { roundId: round.id, municipalityId: 'liperi' };

  beforeEach(async () => {
    // prepare: a decided Liperi nomination; the excerpts go out Tuesday 21.11.2023 10:00 Helsinki
    deps = memoryDeps(new Date('2023-11-21T08:00:00Z'));
    deps.mailer.now = () => deps.clock.now();
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: '' });
    const nomination: Nomination = {
      roundId: round.id,
      municipalityId: 'liperi',
      groupId: 'keski-karjala',
      status: 'decided',
      proposal: liperiProposal(),
      decision: liperiDecision(),
      updatedAt: '2023-11-16T10:00:00.000Z',
      version: 1,
    };
    await deps.store.putNominationIfAbsent(nomination);
  });

  it('records per recipient: sent at, message id, delivery state, deemed receipt and correction deadline', async () => {
    // act
    const result = await sendExcerpts(ref, deps);
    // assess
    expect(result).toEqual({ sent: 5, failed: 0 });
    const rows = await excerptDeliveries(ref, deps);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row).toMatchObject({
        status: 'sent',
        sentAt: '2023-11-21T08:00:00.000Z',
        deliveryState: 'sent',
        deemedReceivedOn: '2023-11-24',
        correctionDeadline: '2023-12-08',
      });
      expect(row.messageId).toBeTruthy();
    }
    const excerpt = deps.mailer.sent.find((m) => m.purpose === 'excerpt');
    expect(excerpt?.content.attachments?.[0]?.contentType).toBe('application/pdf');
    expect(excerpt?.content.text).toContain('Oikaisuvaatimuksen viimeinen jättöpäivä on 8.12.2023.');
  });

  it('sends nothing twice when the step is retried', async () => {
    // act
    const first = await sendExcerpts(ref, deps);
    const retry = await sendExcerpts(ref, deps);
    // assess
    expect(first.sent).toBe(5);
    expect(retry).toEqual({ sent: 0, failed: 0 });
    expect(deps.mailer.sent.filter((m) => m.purpose.startsWith('excerpt'))).toHaveLength(5);
  });

  it('marks a recipient SES refuses for good as failed and tells the organiser once', async () => {
    // prepare
    deps.mailer.refuse.add('sami.kuikka@liperi.example');
    // act
    const result = await sendExcerpts(ref, deps);
    await sendExcerpts(ref, deps); // a retry neither re-sends nor re-tells
    // assess
    expect(result).toEqual({ sent: 4, failed: 1 });
    const sami = (await excerptDeliveries(ref, deps)).find(
      (r) => r.recipient === 'sami.kuikka@liperi.example',
    );
    expect(sami).toMatchObject({ status: 'failed', deliveryState: 'failed' });
    const told = deps.mailer.sent.filter((m) => m.purpose.startsWith('undelivered:'));
    expect(told.map((m) => m.recipient)).toEqual([round.organiser.contact.email]);
    expect(told[0]?.content.text).toContain('sami.kuikka@liperi.example');
    expect(told[0]?.content.subject).toBe('Toimitus epäonnistui: Liperin pöytäkirjanote');
  });

  it('records a delivery, then a bounce of another recipient, and tells the organiser of the bounce', async () => {
    // prepare
    await sendExcerpts(ref, deps);
    const rows = await excerptDeliveries(ref, deps);
    const board = rows.find((r) => r.recipient === 'kunnanhallitus@liperi.example');
    const sami = rows.find((r) => r.recipient === 'sami.kuikka@liperi.example');
    // act
    const delivered = await recordMailEvent(sesEvent('Delivery', board?.messageId ?? ''), deps);
    const bounced = await recordMailEvent(sesEvent('Bounce', sami?.messageId ?? ''), deps);
    await recordMailEvent(sesEvent('Bounce', sami?.messageId ?? ''), deps); // SNS delivers at least once
    // assess
    expect([delivered, bounced]).toEqual(['recorded', 'recorded']);
    const after = await excerptDeliveries(ref, deps);
    expect(after.find((r) => r.recipient === 'kunnanhallitus@liperi.example')).toMatchObject({
      deliveryState: 'delivered',
      deliveryAt: '2023-11-21T08:00:02.133Z',
    });
    const samiAfter = after.find((r) => r.recipient === 'sami.kuikka@liperi.example');
    expect(samiAfter).toMatchObject({ deliveryState: 'bounced', deliveryAt: '2023-11-21T08:00:03.000Z' });
    expect(samiAfter?.deliveryDetail).toContain('Permanent/General');
    expect(samiAfter?.deliveryDetail).not.toContain('@');
    const told = deps.mailer.sent.filter((m) => m.purpose.startsWith('undelivered:'));
    expect(told).toHaveLength(1);
    expect(told[0]?.recipient).toBe(round.organiser.contact.email);
  });

  it('ignores Send events and messages it never sent', async () => {
    expect(await recordMailEvent(sesEvent('Send', 'x'), deps)).toBe('ignored');
    expect(await recordMailEvent(sesEvent('Delivery', 'not-ours'), deps)).toBe('unknown-message');
    expect(await recordMailEvent('garbage', deps)).toBe('ignored');
  });

  it('sends a corrected excerpt, marked as such, to the same recipients once', async () => {
    // prepare: excerpts went out on 21.11.; the decision is corrected a week later
    await sendExcerpts(ref, deps);
    deps.clock.current = new Date('2023-11-28T08:00:00Z');
    const stored = (await deps.store.getNomination(round.id, 'liperi')) as Nomination;
    const decision = { ...liperiDecision(), text: 'Hyväksyttiin päätösehdotus. Pykälää on oikaistu.' };
    await deps.store.saveNomination({ ...stored, decision, version: stored.version + 1 });
    // act
    const result = await sendCorrectedExcerpts(ref, deps);
    const retry = await sendCorrectedExcerpts(ref, deps);
    // assess
    expect(result).toEqual({ sent: 5, failed: 0 });
    expect(retry.sent).toBe(0);
    const corrected = deps.mailer.sent.filter((m) => m.purpose.includes('-corrected-'));
    expect(corrected.map((m) => m.recipient).sort()).toEqual(
      deps.mailer.sent
        .filter((m) => m.purpose === 'excerpt' || m.purpose === 'excerpt-copy')
        .map((m) => m.recipient)
        .sort(),
    );
    const toCounty = corrected.find((m) => m.recipient === round.organiser.registryEmail);
    expect(toCounty?.content.subject.startsWith('Oikaistu Ote: ')).toBe(true);
    expect(toCounty?.content.text).toContain('OIKAISTU PÖYTÄKIRJANOTE');
    expect(toCounty?.content.text).toContain('Tämä ote korvaa 21.11.2023 lähetetyn otteen');
    expect(toCounty?.content.text).toContain('Pykälää on oikaistu.');
    expect(toCounty?.content.attachments?.[0]?.filename).toMatch(/^oikaistu-poytakirjanote-/);
    const rows = await excerptDeliveries(ref, deps);
    expect(
      rows
        .filter((r) => r.purpose.includes('-corrected-'))
        .every((r) => r.correctionDeadline === '2023-12-15'),
    ).toBe(true);
  });

  it('refuses to correct an excerpt that never went out', async () => {
    await expect(sendCorrectedExcerpts(ref, deps)).rejects.toThrow(NotFoundError);
  });
});

describe('the public notice of the decision', () => {
  let deps: ReturnType<typeof memoryDeps>;
  const round = liperiRound();
  const ref = { roundId: round.id, municipalityId: 'liperi' };

  beforeEach(async () => {
    deps = memoryDeps(new Date('2023-11-21T08:00:00Z'));
    deps.mailer.now = () => deps.clock.now();
    await deps.store.putRoundIfAbsent({ round, definitionHash: 'h', status: 'running', createdAt: '' });
    const proposal = liperiProposal();
    proposal.text +=
      ' Lisätietoja antaa Riitta Lappalainen, riitta.lappalainen@liperi.example, p. 040 834 7185.';
    await deps.store.putNominationIfAbsent({
      roundId: round.id,
      municipalityId: 'liperi',
      groupId: 'keski-karjala',
      status: 'decided',
      proposal,
      decision: liperiDecision(),
      updatedAt: '2023-11-16T10:00:00.000Z',
      version: 1,
    });
  });

  it('is not there before the excerpts went out', async () => {
    await expect(publicNoticeOf(ref, deps)).rejects.toThrow(NotFoundError);
  });

  it('shows names and titles, but no phone or e-mail, through the last day of the correction period', async () => {
    // prepare: published 21.11.2023 → members deemed to know 28.11. → last day 12.12.2023
    await sendExcerpts(ref, deps);
    deps.clock.current = new Date('2023-12-12T21:59:00Z'); // 23.59 in Helsinki
    // act
    const notice = await publicNoticeOf(ref, deps);
    const all = JSON.stringify(notice);
    // assess
    expect(notice.members).toEqual(liperiNominees().map((p) => `${p.name}, ${p.title}`));
    expect(all).toContain('Riitta Lappalainen');
    expect(all).toContain('Oikaisuvaatimuksen viimeinen jättöpäivä on 12.12.2023.');
    expect(all).not.toMatch(/@/);
    expect(all).not.toContain('040 834 7185');
    expect(all).toContain('612/2021'); // numbers that are not phones stay
  });

  it('drops every name the day after the correction period', async () => {
    // prepare
    await sendExcerpts(ref, deps);
    deps.clock.current = new Date('2023-12-12T22:00:00Z'); // 13.12. 00.00 in Helsinki
    // act
    const notice = await publicNoticeOf(ref, deps);
    const all = JSON.stringify(notice);
    // assess
    expect(notice.members).toBeUndefined();
    expect(notice.decisionPart).toBeUndefined();
    for (const p of liperiNominees()) expect(all).not.toContain(p.name);
    expect(notice.removedNote).toContain('poistettu');
    expect(notice.title).toBe(round.title);
  });
});

describe('reading SES events', () => {
  it('maps delivery, bounce and complaint payloads to delivery states without addresses', () => {
    expect(parseSesEvent(sesEvent('Delivery', 'm1'))).toEqual({
      messageId: 'm1',
      state: 'delivered',
      at: '2023-11-21T08:00:02.133Z',
      detail: '250 2.6.0 Message received',
    });
    expect(parseSesEvent(sesEvent('Bounce', 'm1'))).toMatchObject({ state: 'bounced' });
    expect(parseSesEvent(sesEvent('Bounce', 'm1'))?.detail).toBe(
      'Permanent/General – 5.1.1 – smtp; 550 5.1.1 <<osoite>>: Recipient address rejected',
    );
    expect(parseSesEvent(sesEvent('Complaint', 'm1'))).toMatchObject({
      state: 'complained',
      detail: 'Complaint – abuse',
    });
    // identity notifications name the type notificationType
    const { eventType: _t, ...rest } = sesEvent('Bounce', 'm2');
    expect(parseSesEvent({ notificationType: 'Bounce', ...rest })).toMatchObject({
      messageId: 'm2',
      state: 'bounced',
    });
  });
});
