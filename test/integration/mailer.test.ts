/** The SES mailer against the real local SES and DynamoDB: exactly once, and well-formed MIME. */
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoClient, sesClient } from '../../functions/adapters/clients.ts';
import { rawMime, SesMailer } from '../../functions/adapters/ses-mailer.ts';
import { SesStore } from '../../local/ses-store.ts';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/stack.ts';

process.env.NIMITYS_LOG_LEVEL = 'silent';

describe('the SES mailer on the embedded stack', () => {
  let stack: EmbeddedStack;
  let mailer: SesMailer;
  let ses: SesStore;

  beforeAll(async () => {
    stack = await startEmbeddedStack({ ports: { dynamodb: 0, ses: 0, sfn: 0, http: 0 } });
    mailer = new SesMailer({
      db: dynamoClient(),
      ses: sesClient(),
      tableName: 'nimitys',
      sender: 'nimitys@test.example',
    });
    ses = new SesStore(stack.urls.ses);
  });
  afterAll(() => stack?.stop());

  it('sends a mail with an attachment once, with Finnish characters intact in headers and body', async () => {
    // prepare
    const key = {
      roundId: 'r1',
      scope: 'liperi',
      purpose: 'excerpt',
      recipient: 'kirjaamo@siunsote.example',
    };
    const content = {
      subject: 'Ote: Liperin hyvinvointilautakunta § 87 – Elomäki, Partanen, Kuikka, Lappalainen',
      text: 'Hyväksyttiin päätösehdotus.\nÄÖÅ äöå',
      html: '<p>Hyväksyttiin päätösehdotus.</p>',
      attachments: [{ filename: 'pöytäkirjanote.txt', contentType: 'text/plain', content: 'ote: äöå' }],
    };

    // act: a step and its retry
    const first = await mailer.sendOnce(key, content);
    const second = await mailer.sendOnce(key, content);

    // assess
    expect([first, second]).toEqual(['sent', 'already-sent']);
    const mails = (await ses.mailsSince()).filter((m) => m.to.includes('kirjaamo@siunsote.example'));
    expect(mails).toHaveLength(1);
    // What SES accepted (the emulator parses the raw MIME with mailparser) …
    expect(mails[0]?.subject).toBe(content.subject);
    expect(mails[0]?.attachments.map((a) => [a.filename, a.content.toString('utf8')])).toEqual([
      ['pöytäkirjanote.txt', 'ote: äöå'],
    ]);
    // … and our bytes read by an independent parser: encoded headers, no raw 8-bit subject.
    const bytes = Buffer.from(await rawMime('nimitys@test.example', key.recipient, content));
    expect(bytes.toString('latin1')).toMatch(/^Subject: =\?UTF-8\?/m);
    const parsed = await simpleParser(bytes);
    expect(parsed.subject).toBe(content.subject);
    expect(parsed.text?.trim()).toBe(content.text);
    expect(parsed.attachments[0]?.filename).toBe('pöytäkirjanote.txt');
    const [record] = (await mailer.listSent('r1')).filter((r) => r.purpose === 'excerpt');
    expect(record).toMatchObject({ status: 'sent', recipient: 'kirjaamo@siunsote.example' });
    expect(record?.messageId).toBeTruthy();
  });
});
