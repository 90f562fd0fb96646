/**
 * Structured JSON logs. Callers pass ids and counts, never e-mail bodies, addresses,
 * phone numbers or tokens: there is deliberately no "dump the event" helper.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, string | number | boolean | undefined>;

const quiet = process.env.NIMITYS_LOG_LEVEL === 'silent';

function write(level: Level, message: string, fields: Fields = {}): void {
  if (quiet) return;
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === 'error' || level === 'warn') process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

export const log = {
  info: (message: string, fields?: Fields) => write('info', message, fields),
  warn: (message: string, fields?: Fields) => write('warn', message, fields),
  error: (message: string, fields?: Fields) => write('error', message, fields),
};
