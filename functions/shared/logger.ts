/**
 * Structured JSON logs (Powertools Logger): level, message, service, the Lambda context
 * (function, request id, cold start) and, for workflow steps, the nomination's id as the
 * correlation id. Callers pass ids and counts, never e-mail bodies, addresses, phone
 * numbers or tokens: there is deliberately no "dump the event" helper, and the event is
 * never logged.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from './metric-names.ts';

type Fields = Record<string, string | number | boolean | undefined>;

export const logger = new Logger({
  serviceName: SERVICE_NAME,
  // NIMITYS_LOG_LEVEL=silent quiets the embedded stack (benchmarks, some tests); else POWERTOOLS_LOG_LEVEL, INFO.
  ...(process.env.NIMITYS_LOG_LEVEL === 'silent' ? { logLevel: 'SILENT' as const } : {}),
});

/** Set by NIMITYS_LOG_LEVEL=silent (read at import and again by applyLocalLogLevel). */
let silenced = process.env.NIMITYS_LOG_LEVEL === 'silent';

/**
 * Applies NIMITYS_LOG_LEVEL as it is now. The embedded stack calls this when it starts, so a
 * test or the demo that quiets the handlers after this module was imported is heard. A flag
 * rather than the logger's level: the Powertools middleware resets the level to the one the
 * logger was built with on every invocation.
 */
export function applyLocalLogLevel(): void {
  if (process.env.NIMITYS_LOG_LEVEL === 'silent') silenced = true;
  else if (process.env.NIMITYS_LOG_LEVEL === 'info') silenced = false;
}

export const log = {
  info: (message: string, fields: Fields = {}) => silenced || logger.info(message, fields),
  warn: (message: string, fields: Fields = {}) => silenced || logger.warn(message, fields),
  error: (message: string, fields: Fields = {}) => silenced || logger.error(message, fields),
};

/** The correlation id of a nomination's logs: `<round>/<municipality>` (or the round alone). */
export function correlateWith(ids: { roundId?: string; municipalityId?: string }): void {
  if (!ids.roundId) return;
  logger.setCorrelationId(ids.municipalityId ? `${ids.roundId}/${ids.municipalityId}` : ids.roundId);
}
