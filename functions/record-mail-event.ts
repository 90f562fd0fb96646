import middy from '@middy/core';
import type { Context, SNSEvent, SNSEventRecord } from 'aws-lambda';
import { productionDepsWith, productionMailer } from './shared/deps.ts';
import { log } from './shared/logger.ts';
import { recordMailEvent } from './use-cases/mail-events.ts';

const deps = productionDepsWith({ mailer: productionMailer() });

/** The record's message as JSON, or undefined when it is none: SNS redelivering it would not mend it. */
function messageOf(record: Partial<SNSEventRecord> | undefined): unknown {
  const text = record?.Sns?.Message;
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** SES configuration-set events via SNS → the recipient's outbox row. An unreadable record is logged and skipped. */
export const handler = middy<SNSEvent, void, Error, Context>().handler(async (event) => {
  const records: Array<Partial<SNSEventRecord> | undefined> = Array.isArray(event?.Records)
    ? event.Records
    : [];
  if (records.length === 0) log.warn('mail event unreadable', { reason: 'no records' });
  for (const record of records) {
    const snsMessageId = typeof record?.Sns?.MessageId === 'string' ? record.Sns.MessageId : undefined;
    const message = messageOf(record);
    if (message === undefined) {
      log.warn('mail event unreadable', { snsMessageId });
      continue;
    }
    const outcome = await recordMailEvent(message, deps);
    log.info('mail event', { outcome, snsMessageId });
  }
});
