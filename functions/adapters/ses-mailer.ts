/**
 * Mailer on SES v2 with a DynamoDB outbox. The outbox row for (round, scope, purpose,
 * recipient) is claimed with a conditional write before sending, so a retried step
 * finds the row and sends nothing twice.
 *
 * Row states: sending (claimed) → sent, or → retrying (SES did not take it: throttled,
 * unreachable, a hiccup; the claim is released, the failed attempts and the last error are
 * counted on the row for the console, and the error is rethrown under its own name —
 * TooManyRequestsException, ServiceUnreachableError, … — for the workflow's Retry to send
 * it later), or → failed (a permanent refusal of the message or address,
 * PERMANENT_SES_ERRORS: returns 'failed', the caller tells the organiser).
 *
 * Once SES accepted a mail, the writes that record it (the MAILID#<message id> pointer that
 * lets SES delivery events find the row with a GetItem, then the row's `sent`) are retried
 * in the function for up to RECORD_RETRY_MS: a DynamoDB hiccup there must not make the
 * step fail with a mail out and a row still saying "sending".
 *
 * Trade-off: if the process dies after SES accepted the mail but before the row says
 * "sent", the retry cannot know whether SES got it (SES has no idempotency key). It
 * re-sends only a claim older than STALE_CLAIM_MS (a crash, not a concurrent sender),
 * accepting a rare duplicate over a lost legal notice.
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
import { ConflictError } from '../domain/errors.ts';
import type {
  DeliveryEvent,
  DeliveryState,
  MailContent,
  Mailer,
  MailKey,
  NoticeDates,
  OutboxRecord,
} from '../domain/ports.ts';
import { faultPoint } from '../shared/fault-points.ts';
import { keys } from './dynamo-store.ts';
import { buildMime } from './mime.ts';

const STALE_CLAIM_MS = 60_000;
/** How long the writes recording an accepted mail are retried within one invocation. */
const RECORD_RETRY_MS = 10_000;

/**
 * SES v2 errors that no retry can cure for this recipient: the message or the address was
 * refused. Account-wide ones (AccountSuspended, SendingPaused, MailFromDomainNotVerified)
 * are not here: they fail the step, since every other mail would fail the same way.
 */
export const PERMANENT_SES_ERRORS: ReadonlySet<string> = new Set(['MessageRejected', 'BadRequestException']);

/** How sure each state is: a later event never replaces a stronger one (e.g. delivered → delayed). */
const DELIVERY_RANK: Record<DeliveryState, number> = {
  sending: 0,
  retrying: 0,
  sent: 1,
  delayed: 2,
  delivered: 3,
  bounced: 4,
  complained: 4,
  failed: 4,
};

export function nextDeliveryState(current: DeliveryState | undefined, event: DeliveryState): DeliveryState {
  if (current === undefined) return event;
  return DELIVERY_RANK[event] >= DELIVERY_RANK[current] ? event : current;
}

/** SES's reason, short, without the addresses it may quote. */
function failureDetail(error: string, message: string): string {
  const text = message.replace(/[^\s<>@]+@[^\s<>@]+/g, '<osoite>').slice(0, 300);
  return `${error}: ${text}`;
}

function strip(item: OutboxRecord): OutboxRecord {
  const {
    pk: _pk,
    sk: _sk,
    kind: _kind,
    claimedAt: _claimed,
    ...record
  } = item as OutboxRecord & Record<string, unknown>;
  return record as OutboxRecord;
}

/** The mail as raw MIME, for mails with attachments (SES builds the simple ones itself). */
export async function rawMime(from: string, to: string, content: MailContent): Promise<Uint8Array> {
  return buildMime({ from, to, ...content });
}

/**
 * Runs a write until it succeeds, for up to RECORD_RETRY_MS (backoff 100 ms doubling to 2 s).
 * A condition failure is an answer, not a hiccup: it is thrown at once.
 */
async function persist<T>(write: () => Promise<T>): Promise<T> {
  const end = Date.now() + RECORD_RETRY_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await write();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || Date.now() + delay > end) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export interface SesMailerOptions {
  db: DynamoDBDocumentClient;
  ses: Pick<SESv2Client, 'send'>;
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

  async sendOnce(
    key: MailKey,
    content: MailContent,
    dates?: NoticeDates,
  ): Promise<'sent' | 'already-sent' | 'failed'> {
    const dbKey = keys.mail(key.roundId, key.scope, key.purpose, key.recipient);
    const claimedAt = this.now().toISOString();
    const outcome = await this.claim(dbKey, key, content, dates, claimedAt);
    if (outcome !== 'claimed') return outcome;

    let messageId: string;
    try {
      messageId = await this.send(key.recipient, content);
    } catch (error) {
      const name = (error as Error)?.name ?? 'Error';
      if (PERMANENT_SES_ERRORS.has(name)) {
        await this.markFailed(dbKey, name, (error as Error).message);
        return 'failed';
      }
      // Not sent: release the claim so that the workflow's retry (with backoff) sends it.
      await this.markRetrying(dbKey, claimedAt, name).catch(() => undefined);
      throw error;
    }
    faultPoint('mail:accepted', { purpose: key.purpose, recipient: key.recipient });
    await this.recordSent(dbKey, messageId);
    faultPoint('mail:recorded', { purpose: key.purpose, recipient: key.recipient });
    return 'sent';
  }

  /**
   * Claims the row: a new row, or one whose last attempt failed (retrying), or a stale
   * claim of a sender that died. Exactly one of concurrent claimants wins.
   */
  private async claim(
    dbKey: { pk: string; sk: string },
    key: MailKey,
    content: MailContent,
    dates: NoticeDates | undefined,
    claimedAt: string,
  ): Promise<'claimed' | 'already-sent' | 'failed'> {
    const { db, tableName } = this.options;
    try {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...dbKey,
            kind: 'mail',
            ...key,
            ...dates,
            status: 'sending',
            deliveryState: 'sending',
            subject: content.subject,
            claimedAt,
            firstAttemptAt: claimedAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = (
      await db.send(new GetCommand({ TableName: tableName, Key: dbKey, ConsistentRead: true }))
    ).Item as (OutboxRecord & { claimedAt?: string }) | undefined;
    if (!existing || existing.status === 'sent') return 'already-sent';
    if (existing.status === 'failed') return 'failed';
    const stale =
      existing.status === 'sending' &&
      this.now().getTime() - Date.parse(existing.claimedAt ?? '') >= STALE_CLAIM_MS;
    if (existing.status !== 'retrying' && !stale) {
      throw new ConflictError('Mail is being sent by another attempt');
    }
    try {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: dbKey,
          UpdateExpression:
            'SET #status = :sending, deliveryState = :sending, claimedAt = :claimedAt, subject = :subject' +
            (dates ? ', deemedReceivedOn = :deemed, correctionDeadline = :deadline' : ''),
          ConditionExpression:
            existing.status === 'retrying'
              ? '#status = :retrying'
              : '#status = :sending AND claimedAt = :previous',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':claimedAt': claimedAt,
            ':subject': content.subject,
            ...(existing.status === 'retrying'
              ? { ':retrying': 'retrying' }
              : { ':previous': existing.claimedAt }),
            ...(dates && { ':deemed': dates.deemedReceivedOn, ':deadline': dates.correctionDeadline }),
          },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      throw new ConflictError('Mail is being sent by another attempt');
    }
  }

  /** SES accepted the mail: the pointer for its events, then the row says sent (each write retried). */
  private async recordSent(dbKey: { pk: string; sk: string }, messageId: string): Promise<void> {
    const { db, tableName } = this.options;
    const sentAt = this.now().toISOString();
    if (messageId !== '') {
      // The message id → outbox row pointer: SES events find the row without a Scan.
      await persist(() =>
        db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.messageId(messageId), kind: 'mail-id', mailPk: dbKey.pk, mailSk: dbKey.sk },
          }),
        ),
      );
    }
    const sent = { ':sent': 'sent', ':messageId': messageId, ':sentAt': sentAt };
    // One write as a rule: sent, and delivered-state "sent" unless a delivery event got
    // there first (the pointer exists from here on) ...
    try {
      await persist(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: dbKey,
            UpdateExpression:
              'SET #status = :sent, messageId = :messageId, sentAt = :sentAt, ' +
              'deliveryState = :sent, deliveryAt = :sentAt REMOVE claimedAt',
            ConditionExpression: 'deliveryState = :sending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ...sent, ':sending': 'sending' },
          }),
        ),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // ... which then keeps its stronger state: only the row's own status changes.
    await persist(() =>
      db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: dbKey,
          UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :sentAt REMOVE claimedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: sent,
        }),
      ),
    );
  }

  private async send(recipient: string, content: MailContent): Promise<string> {
    const out = await this.options.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.options.sender,
        Destination: { ToAddresses: [recipient] },
        ConfigurationSetName: this.options.configurationSet,
        Content: content.attachments?.length
          ? { Raw: { Data: await rawMime(this.options.sender, recipient, content) } }
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
    return out.MessageId ?? '';
  }

  private async markFailed(dbKey: { pk: string; sk: string }, error: string, message: string): Promise<void> {
    const at = this.now().toISOString();
    await this.options.db.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: dbKey,
        UpdateExpression:
          'SET #status = :failed, deliveryState = :failed, deliveryAt = :at, deliveryDetail = :detail',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':failed': 'failed',
          ':at': at,
          ':detail': failureDetail(error, message),
        },
      }),
    );
  }

  /**
   * After a send that did not happen: releases our own claim (still 'sending', same claim
   * time) as `retrying`, counting the failed attempt and keeping its error and time.
   */
  private async markRetrying(
    dbKey: { pk: string; sk: string },
    claimedAt: string,
    error: string,
  ): Promise<void> {
    try {
      await this.options.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: dbKey,
          UpdateExpression:
            'SET #status = :retrying, deliveryState = :retrying, lastError = :error, lastErrorAt = :at ' +
            'ADD failedAttempts :one REMOVE claimedAt',
          ConditionExpression: '#status = :sending AND claimedAt = :claimedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':retrying': 'retrying',
            ':sending': 'sending',
            ':claimedAt': claimedAt,
            ':error': error.slice(0, 100),
            ':at': this.now().toISOString(),
            ':one': 1,
          },
        }),
      );
    } catch (failure) {
      if (!(failure instanceof ConditionalCheckFailedException)) throw failure;
    }
  }

  async recordDelivery(event: DeliveryEvent): Promise<OutboxRecord | undefined> {
    const { db, tableName } = this.options;
    const pointer = (
      await db.send(new GetCommand({ TableName: tableName, Key: keys.messageId(event.messageId) }))
    ).Item as { mailPk: string; mailSk: string } | undefined;
    if (!pointer) return undefined;
    const dbKey = { pk: pointer.mailPk, sk: pointer.mailSk };
    for (let attempt = 0; attempt < 5; attempt++) {
      const item = (await db.send(new GetCommand({ TableName: tableName, Key: dbKey, ConsistentRead: true })))
        .Item as OutboxRecord | undefined;
      if (!item) return undefined;
      const next = nextDeliveryState(item.deliveryState, event.state);
      if (next === item.deliveryState && item.deliveryAt === event.at) return strip(item);
      if (next !== event.state) return strip(item); // an older or weaker event: keep what we know
      try {
        const out = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: dbKey,
            UpdateExpression: 'SET deliveryState = :state, deliveryAt = :at, deliveryDetail = :detail',
            ConditionExpression: 'attribute_not_exists(deliveryState) OR deliveryState = :previous',
            ExpressionAttributeValues: {
              ':state': event.state,
              ':at': event.at,
              ':detail': event.detail ?? event.state,
              ':previous': item.deliveryState ?? 'sent',
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return strip(out.Attributes as OutboxRecord);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new ConflictError('Delivery state kept changing');
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
      for (const item of out.Items ?? []) records.push(strip(item as OutboxRecord));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}
