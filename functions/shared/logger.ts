/**
 * Structured JSON logs, one line each on stdout: level, message, timestamp, service, the
 * Lambda context (function, request id, cold start, X-Ray trace) and, for workflow steps,
 * the nomination's id as the correlation id. The field names are those of Powertools Logger,
 * which this replaced: it cost each function about 17 KB and 8 ms of cold import for what
 * these few lines do.
 *
 * Callers pass ids and counts, never e-mail bodies, addresses, phone numbers or tokens:
 * there is deliberately no "dump the event" helper, and the event is never logged.
 *
 * Written with process.stdout.write, not console: with Lambda's JSON log format the runtime
 * wraps console output in an object of its own, and the line would no longer be ours.
 */
import type { Context } from 'aws-lambda';
import { SERVICE_NAME } from './metric-names.ts';

/** A line's own fields; the names the logger writes itself are not among them. */
type Fields = Record<string, string | number | boolean | undefined> & {
  level?: never;
  message?: never;
  timestamp?: never;
  service?: never;
};
type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const RANK: Record<Level | 'SILENT', number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, SILENT: 99 };

/** LOG_LEVEL (or Lambda's own AWS_LAMBDA_LOG_LEVEL), INFO if neither names a level. */
function configuredLevel(): number {
  const named = (process.env.LOG_LEVEL ?? process.env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase();
  return RANK[named as Level] ?? RANK.INFO;
}

const threshold = configuredLevel();

/** Set by NIMITYS_LOG_LEVEL=silent (read at import and again by applyLocalLogLevel). */
let silenced = process.env.NIMITYS_LOG_LEVEL === 'silent';

/**
 * Applies NIMITYS_LOG_LEVEL as it is now. The embedded stack calls this when it starts, so a
 * test or the demo that quiets the handlers after this module was imported is heard.
 */
export function applyLocalLogLevel(): void {
  if (process.env.NIMITYS_LOG_LEVEL === 'silent') silenced = true;
  else if (process.env.NIMITYS_LOG_LEVEL === 'info') silenced = false;
}

/** What every line of the current invocation carries besides its own fields. */
let invocation: Fields = {};
let coldStart = true;

/**
 * Starts an invocation's logging: its Lambda context on every line, no correlation id yet.
 * (The middy middleware `withLambdaContext` calls this; locally there is no context.)
 */
function beginInvocation(context: Context | undefined): void {
  invocation = context?.awsRequestId
    ? {
        cold_start: coldStart,
        function_name: context.functionName,
        function_memory_size: Number(context.memoryLimitInMB) || undefined,
        function_arn: context.invokedFunctionArn,
        function_request_id: context.awsRequestId,
      }
    : {};
  coldStart = false;
}

/** The correlation id of a nomination's logs: `<round>/<municipality>` (or the round alone). */
export function correlateWith(ids: { roundId?: string; municipalityId?: string }): void {
  if (!ids.roundId) return;
  invocation.correlation_id = ids.municipalityId ? `${ids.roundId}/${ids.municipalityId}` : ids.roundId;
}

function write(level: Level, message: string, fields: Fields): void {
  if (silenced || RANK[level] < threshold) return;
  const line = {
    level,
    message,
    timestamp: new Date().toISOString(),
    service: SERVICE_NAME,
    ...invocation,
    xray_trace_id: process.env._X_AMZN_TRACE_ID?.match(/Root=([^;]+)/)?.[1],
    ...fields,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export const log = {
  info: (message: string, fields: Fields = {}) => write('INFO', message, fields),
  warn: (message: string, fields: Fields = {}) => write('WARN', message, fields),
  error: (message: string, fields: Fields = {}) => write('ERROR', message, fields),
};

/** middy middleware: each invocation's lines carry its Lambda context, and nothing of the last one's. */
export function withLambdaContext(): { before: (request: { context: Context }) => void } {
  return { before: (request) => beginInvocation(request.context) };
}
