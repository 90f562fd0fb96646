/**
 * SES delivery events, as a configuration set's SNS event destination publishes them
 * (`eventType`: Send, Delivery, Bounce, Complaint, Reject, DeliveryDelay, …) or as identity
 * notifications (`notificationType`). Reads only what the outbox row needs: the message id,
 * the new delivery state, when, and SES's reason with every address taken out.
 */
import type { DeliveryEvent, DeliveryState } from './ports.ts';

interface SesEventMessage {
  eventType?: string;
  notificationType?: string;
  mail?: { messageId?: string; timestamp?: string };
  delivery?: { timestamp?: string; smtpResponse?: string };
  bounce?: {
    bounceType?: string;
    bounceSubType?: string;
    timestamp?: string;
    bouncedRecipients?: Array<{ status?: string; diagnosticCode?: string }>;
  };
  complaint?: { timestamp?: string; complaintFeedbackType?: string };
  reject?: { reason?: string };
  deliveryDelay?: { timestamp?: string; delayType?: string };
}

const ADDRESS = /[^\s<>@;,"']+@[^\s<>@;,"']+/g;

/** SES's words without the addresses it quotes, short enough for a record. */
function clean(parts: Array<string | undefined>): string {
  return parts
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .join(' – ')
    .replace(ADDRESS, '<osoite>')
    .replace(/\s+/g, ' ')
    .slice(0, 300);
}

/** SES message ids are short printable ASCII; anything else is not one (and must not become a key). */
const MESSAGE_ID = /^[\x21-\x7e]{1,200}$/;

/** A timestamp as SES writes it (ISO 8601), or the fallback for anything else. */
function timestampOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : fallback;
}

/** The delivery event in an SNS message from SES, or undefined for one the outbox ignores (Send, Open, …). */
export function parseSesEvent(message: unknown): DeliveryEvent | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as SesEventMessage;
  const messageId = m.mail?.messageId;
  if (typeof messageId !== 'string' || !MESSAGE_ID.test(messageId)) return undefined;
  const fallbackAt = timestampOr(m.mail?.timestamp, new Date(0).toISOString());
  switch (m.eventType ?? m.notificationType) {
    case 'Delivery':
      return {
        messageId,
        state: 'delivered',
        at: timestampOr(m.delivery?.timestamp, fallbackAt),
        detail: clean([m.delivery?.smtpResponse]),
      };
    case 'Bounce': {
      const first = m.bounce?.bouncedRecipients?.[0];
      return {
        messageId,
        state: 'bounced',
        at: timestampOr(m.bounce?.timestamp, fallbackAt),
        detail: clean([
          `${m.bounce?.bounceType ?? 'Undetermined'}/${m.bounce?.bounceSubType ?? 'General'}`,
          first?.status,
          first?.diagnosticCode,
        ]),
      };
    }
    case 'Complaint':
      return {
        messageId,
        state: 'complained',
        at: timestampOr(m.complaint?.timestamp, fallbackAt),
        detail: clean(['Complaint', m.complaint?.complaintFeedbackType]),
      };
    case 'Reject':
      return { messageId, state: 'failed', at: fallbackAt, detail: clean(['Reject', m.reject?.reason]) };
    case 'DeliveryDelay':
      return {
        messageId,
        state: 'delayed',
        at: timestampOr(m.deliveryDelay?.timestamp, fallbackAt),
        detail: clean(['DeliveryDelay', m.deliveryDelay?.delayType]),
      };
    default:
      return undefined;
  }
}

/** States after which the recipient did not get the mail: the organiser must act. */
export function isUndelivered(state: DeliveryState | undefined): boolean {
  return state === 'bounced' || state === 'failed';
}
