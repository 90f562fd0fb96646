/**
 * The excerpt on the real embedded stack: sent through the SES mailer and the DynamoDB
 * outbox, its PDF read back from what SES accepted, SES errors (transient and permanent),
 * a bounce event found by message id, and the public notice served over HTTP.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { MessageRejected, type SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient, sesClient } from '../../functions/adapters/clients.ts';
import { DynamoNominationStore } from '../../functions/adapters/dynamo-store.ts';
import { SesMailer } from '../../functions/adapters/ses-mailer.ts';
import { parseLinkSecret } from '../../functions/domain/link-token.ts';
import type { Nomination, Round } from '../../functions/domain/types.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';
import { excerptDeliveries, sendExcerpts } from '../../functions/use-cases/excerpts.ts';
import { recordMailEvent } from '../../functions/use-cases/mail-events.ts';
import { SesStore } from '../../local/ses-store.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';
import { liperiDecision, liperiProposal, liperiRound } from '../fixtures/liperi.ts';

process.env.NIMITYS_LOG_LEVEL = 'silent';

/** An SES client that throws the given errors first, then sends for real. */
function flakySes(real: SESv2Client, errors: Error[]): SESv2Client & { calls: number } {
  const client = {
    calls: 0,
    async send(command: unknown) {
      client.calls++;
      const error = errors.shift();
      if (error) throw error;
      return real.send(command as never);
    },
  };
  return client as unknown as SESv2Client & { calls: number };
}

describe('the excerpt on the embedded stack', () => {
  let stack: EmbeddedStack;
  let ses: SesStore;
  let deps: Deps;
  const round: Round = { ...liperiRound(), id: `excerpt-it-${Date.now().toString(36)}` };
  const municipality = round.municipalities[0];
  if (municipality) {
    municipality.postalAddress = 'Keskustie 10, 83100 Liperi';
    municipality.body.secretaryName = 'Sari Esimerkki';
    municipality.body.secretaryTitle = 'hallintosihteeri';
  }
  const ref = { roundId: round.id, municipalityId: 'liperi' };
  const mailer = (client: SESv2Client) =>
    new SesMailer({ db: dynamoClient(), ses: client, tableName: 'nimitys', sender: 'nimitys@test.example' });

  beforeAll(async () => {
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    ses = new SesStore(stack.urls.ses);
    const store = new DynamoNominationStore(dynamoClient(), 'nimitys');
    deps = {
      store,
      mailer: mailer(sesClient()),
      callbacks: { succeed: async () => {}, fail: async () => {} },
      clock: { now: () => new Date() },
      publicBaseUrl: stack.urls.http,
      linkSecret: async () => parseLinkSecret(stack.environment.LINK_SECRET ?? ''),
    };
    await store.putRoundIfAbsent({
      round,
      definitionHash: 'h',
      status: 'running',
      createdAt: new Date().toISOString(),
    });
    const nomination: Nomination = {
      roundId: round.id,
      municipalityId: 'liperi',
      groupId: 'keski-karjala',
      status: 'decided',
      proposal: liperiProposal(),
      decision: liperiDecision(),
      updatedAt: new Date().toISOString(),
      version: 1,
    };
    await store.putNominationIfAbsent(nomination);
  });
  afterAll(() => stack?.stop());

  it('sends the Liperi excerpt once per recipient with a PDF that pdftotext reads as the minute', async () => {
    // act: the step and its retry
    const first = await sendExcerpts(ref, deps);
    const retry = await sendExcerpts(ref, deps);
    // assess
    expect(first).toEqual({ sent: 5, failed: 0 });
    expect(retry).toEqual({ sent: 0, failed: 0 });
    const mails = (await ses.mailsSince()).filter((m) => m.subject.includes('Liperin hyvinvointilautakunta'));
    expect(mails.map((m) => m.to).sort()).toEqual([
      'eeva.elomaki@liperi.example',
      'kirjaamo@siunsote.example',
      'kunnanhallitus@liperi.example',
      'reetta.partanen@liperi.example',
      'sami.kuikka@liperi.example',
    ]);
    const ote = mails.find((m) => m.to === 'kirjaamo@siunsote.example');
    const pdf = ote?.attachments.find((a) => a.contentType === 'application/pdf');
    expect(pdf?.filename).toBe('poytakirjanote-liperi-2023-11-14-87.pdf');
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/liperi-excerpt-integration.pdf', pdf?.content ?? Buffer.alloc(0));
    const text = execFileSync(
      'pdftotext',
      ['-enc', 'UTF-8', 'test-results/liperi-excerpt-integration.pdf', '-'],
      {
        encoding: 'utf8',
      },
    );
    writeFileSync('test-results/liperi-excerpt-integration.txt', text);
    expect(text).toContain('Päätös Hyväksyttiin päätösehdotus.');
    expect(text).toContain('Ote Pohjois-Karjalan hyvinvointialue');
    expect(text).toContain('Otteen oikeaksi todistaa');
    const rows = await excerptDeliveries(ref, deps);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      expect(row.status).toBe('sent');
      expect(row.deliveryState).toBe('sent');
      expect(row.messageId).toBe(mails.find((m) => m.to === row.recipient)?.messageId);
      expect(row.deemedReceivedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(row.correctionDeadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('records a bounce found by message id and tells the organiser, once', async () => {
    // prepare
    const sami = (await excerptDeliveries(ref, deps)).find(
      (r) => r.recipient === 'sami.kuikka@liperi.example',
    );
    const bounce = {
      eventType: 'Bounce',
      bounce: {
        feedbackId: '0100018bf1b0-bounce',
        bounceType: 'Permanent',
        bounceSubType: 'NoEmail',
        bouncedRecipients: [
          {
            emailAddress: 'sami.kuikka@liperi.example',
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: 'smtp; 550 5.1.1 user unknown',
          },
        ],
        timestamp: new Date().toISOString(),
        reportingMTA: 'dns; a8-70.smtp-out.amazonses.com',
      },
      mail: {
        timestamp: new Date().toISOString(),
        source: 'nimitys@test.example',
        sendingAccountId: '123456789012',
        messageId: sami?.messageId,
        destination: ['sami.kuikka@liperi.example'],
      },
    };
    // act: SNS delivers at least once
    const outcome = await recordMailEvent(bounce, deps);
    await recordMailEvent(bounce, deps);
    // assess
    expect(outcome).toBe('recorded');
    const after = (await excerptDeliveries(ref, deps)).find(
      (r) => r.recipient === 'sami.kuikka@liperi.example',
    );
    expect(after).toMatchObject({ deliveryState: 'bounced', status: 'sent' });
    expect(after?.deliveryDetail).toContain('Permanent/NoEmail');
    const told = (await ses.mailsSince()).filter(
      (m) => m.subject === 'Toimitus epäonnistui: Liperin pöytäkirjanote',
    );
    expect(told.map((m) => m.to)).toEqual([round.organiser.contact.email]);
  });

  it('releases the claim on SES throttling, so the retry sends the mail exactly once', async () => {
    // prepare
    const client = flakySes(sesClient(), [
      new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} }),
    ]);
    const key = {
      roundId: round.id,
      scope: 'liperi',
      purpose: 'throttled',
      recipient: 'throttled@liperi.example',
    };
    const content = { subject: 'Ote: äöå', text: 'x', html: '<p>x</p>' };
    // act
    const first = await mailer(client)
      .sendOnce(key, content)
      .catch((e: Error) => e.name);
    const second = await mailer(client).sendOnce(key, content);
    const third = await mailer(client).sendOnce(key, content);
    // assess: the name Step Functions retries on, then one real send
    expect([first, second, third]).toEqual(['TooManyRequestsException', 'sent', 'already-sent']);
    expect((await ses.mailsSince()).filter((m) => m.to === key.recipient)).toHaveLength(1);
  });

  it('marks a recipient failed on a permanent SES refusal and never calls SES for it again', async () => {
    // prepare
    const client = flakySes(sesClient(), [
      new MessageRejected({ message: 'Email address is not verified: <x@y.example>', $metadata: {} }),
    ]);
    const key = {
      roundId: round.id,
      scope: 'liperi',
      purpose: 'rejected',
      recipient: 'rejected@liperi.example',
    };
    const content = { subject: 'Ote', text: 'x', html: '<p>x</p>' };
    // act
    const first = await mailer(client).sendOnce(key, content);
    const retry = await mailer(client).sendOnce(key, content);
    // assess
    expect([first, retry]).toEqual(['failed', 'failed']);
    expect(client.calls).toBe(1);
    const row = (await deps.mailer.listSent(round.id)).find((r) => r.purpose === 'rejected');
    expect(row).toMatchObject({ status: 'failed', deliveryState: 'failed' });
    expect(row?.deliveryDetail).toBe('MessageRejected: Email address is not verified: <<osoite>>');
  });

  it('serves the public notice over HTTP with names and titles but no phone or e-mail, and 404 for no decision', async () => {
    // act
    const page = await fetch(`${stack.urls.http}/paatos/${round.id}/liperi`);
    const missing = await fetch(`${stack.urls.http}/paatos/${round.id}/joensuu`);
    const body = await page.text();
    // assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(body).toContain('Eeva Elomäki, hyvinvointi- ja hankekoordinaattori');
    expect(body).toContain('Hyväksyttiin päätösehdotus.');
    expect(body).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/); // no e-mail address (the style sheet has @media)
    expect(body).not.toContain('040 834 7185');
    expect(missing.status).toBe(404);
  });
});
