/**
 * Names shared by the functions (which emit) and infra (dashboard, alarms), free of
 * the CDK so either side may import them.
 */
export const SERVICE_NAME = 'nimitys';
export const METRICS_NAMESPACE = 'Nimitys';

/** Custom metrics (count per event), dimension `service` only. */
export const METRIC = {
  /** SES accepted a mail. */
  mailSent: 'MailSent',
  /** SES reported a bounce of a mail (delivery event). */
  mailBounced: 'MailBounced',
  /** SES reported a complaint about a mail (delivery event). */
  mailComplained: 'MailComplained',
  /** An official acted through a link (it is used up). */
  linkUsed: 'LinkUsed',
  /** A decision was recorded through a link, whatever its outcome. */
  decisionRecorded: 'DecisionRecorded',
  /** A link-page request refused by the per-client rate limit. */
  linkRateLimited: 'LinkRateLimited',
  /** An official's action took effect but its audit entry could not be written (alarmed). */
  auditNotWritten: 'AuditNotWritten',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
