/**
 * Mailer on SES v2 with a DynamoDB outbox. The outbox row for (round, scope, purpose,
 * recipient) is claimed with a conditional write before sending, so a retried step
 * finds the row and sends nothing twice.
 *
 * Trade-off: if the process dies after SES accepted the mail but before the row says
 * "sent", the retry cannot know whether SES got it. It re-sends only a claim older than
 * STALE_CLAIM_MS (a crash, not a concurrent sender), accepting a rare duplicate over a
 * lost legal notice.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { ConflictError } from '../domain/errors.ts';
import type { MailContent, Mailer, MailKey, OutboxRecord } from '../domain/ports.ts';
import { keys } from './dynamo-store.ts';

const STALE_CLAIM_MS = 60_000;

/** A multipart MIME message; nodemailer's composer does the header encoding (ä, ö, å) and folding. */
export function rawMime(from: string, to: string, content: MailContent): Promise<Uint8Array> {
  const composer = new MailComposer({
    from,
    to,
    subject: content.subject,
    text: content.text,
    html: content.html,
    textEncoding: 'quoted-printable',
    attachments: content.attachments?.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: typeof a.content === 'string' ? a.content : Buffer.from(a.content),
    })),
  });
  return new Promise((resolve, reject) =>
    composer.compile().build((error, message) => (error ? reject(error) : resolve(new Uint8Array(message)))),
  );
}

export interface SesMailerOptions {
  db: DynamoDBDocumentClient;
  ses: SESv2Client;
  tableName: string;
  sender: string;
  configurationSet?: string;
  now?: () => Date;
}

export class SesMailer implements Mailer {
  private readonly now: () => Date;
  constructor(private readonly options: SesMailerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async sendOnce(key: MailKey, content: MailContent): Promise<'sent' | 'already-sent'> {
    const { db, tableName } = this.options;
    const dbKey = keys.mail(key.roundId, key.scope, key.purpose, key.recipient);
    const claimedAt = this.now().toISOString();
    try {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...dbKey, kind: 'mail', ...key, status: 'sending', subject: content.subject, claimedAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = (
        await db.send(new GetCommand({ TableName: tableName, Key: dbKey, ConsistentRead: true }))
      ).Item as (OutboxRecord & { claimedAt: string }) | undefined;
      if (!existing || existing.status === 'sent') return 'already-sent';
      if (this.now().getTime() - Date.parse(existing.claimedAt) < STALE_CLAIM_MS) {
        throw new ConflictError('Mail is being sent by another attempt');
      }
    }

    const out = await this.options.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.options.sender,
        Destination: { ToAddresses: [key.recipient] },
        ConfigurationSetName: this.options.configurationSet,
        Content: content.attachments?.length
          ? { Raw: { Data: await rawMime(this.options.sender, key.recipient, content) } }
          : {
              Simple: {
                Subject: { Data: content.subject, Charset: 'UTF-8' },
                Body: {
                  Text: { Data: content.text, Charset: 'UTF-8' },
                  Html: { Data: content.html, Charset: 'UTF-8' },
                },
              },
            },
      }),
    );
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: dbKey,
        UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :sentAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':messageId': out.MessageId ?? '',
          ':sentAt': this.now().toISOString(),
        },
      }),
    );
    return 'sent';
  }

  async wasSent(key: MailKey): Promise<boolean> {
    const out = await this.options.db.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.mail(key.roundId, key.scope, key.purpose, key.recipient),
        ConsistentRead: true,
      }),
    );
    return out.Item?.status === 'sent';
  }

  async listSent(roundId: string): Promise<OutboxRecord[]> {
    const records: OutboxRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.options.db.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :mail)',
          ExpressionAttributeValues: { ':pk': `ROUND#${roundId}`, ':mail': 'MAIL#' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const { pk: _pk, sk: _sk, kind: _kind, ...record } = item;
        records.push(record as OutboxRecord);
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}
