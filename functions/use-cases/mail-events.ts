import { isUndelivered, parseSesEvent } from '../domain/mail-events.ts';
import { METRIC } from '../shared/metric-names.ts';
import { countMetric } from '../shared/metrics.ts';
import type { Deps } from './deps.ts';
import { isExcerptPurpose, tellOrganiserUndelivered } from './excerpts.ts';

export type MailEventOutcome = 'ignored' | 'unknown-message' | 'recorded';

/**
 * Records one SES event (an SNS message body) on the outbox row of its message:
 * 1. parse the event; Send/Open/Click and the like are ignored;
 * 2. find the row by message id (a GetItem on the pointer the mailer wrote) and move its
 *    delivery state forward (never back: a late delay does not undo a delivery);
 * 3. an excerpt that bounced or was rejected: its organiser's contact is told, once.
 */
export async function recordMailEvent(message: unknown, deps: Deps): Promise<MailEventOutcome> {
  const event = parseSesEvent(message);
  if (!event) return 'ignored';
  if (event.state === 'bounced') countMetric(METRIC.mailBounced);
  if (event.state === 'complained') countMetric(METRIC.mailComplained);
  const record = await deps.mailer.recordDelivery(event);
  if (!record) return 'unknown-message';
  if (isUndelivered(record.deliveryState) && isExcerptPurpose(record.purpose)) {
    const stored = await deps.store.getRound(record.roundId);
    const municipality = stored?.round.municipalities.find((m) => m.id === record.scope);
    if (stored && municipality) {
      const reason = record.deliveryDetail ?? record.deliveryState ?? 'bounced';
      await tellOrganiserUndelivered(
        deps,
        stored.round,
        municipality,
        record.purpose,
        record.recipient,
        reason,
      );
    }
  }
  return 'recorded';
}
