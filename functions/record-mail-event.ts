import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { productionDeps } from './shared/deps.ts';
import { log } from './shared/logger.ts';
import { recordMailEvent } from './use-cases/mail-events.ts';

const deps = productionDeps();

/** SES configuration-set events via SNS → the recipient's outbox row. */
export const handler = middy<SNSEvent, void, Error, Context>().handler(async (event) => {
  for (const record of event.Records) {
    const outcome = await recordMailEvent(JSON.parse(record.Sns.Message), deps);
    log.info('mail event', { outcome, snsMessageId: record.Sns.MessageId });
  }
});
