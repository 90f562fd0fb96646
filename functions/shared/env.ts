/**
 * Configuration, read once at cold start. A missing setting fails the function's
 * import, so a misconfigured deployment fails loudly on its first invocation
 * instead of half-working.
 */

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Environment variable ${name} is not set`);
  }
  return value.trim();
}

export interface Config {
  /** The single DynamoDB table. */
  tableName: string;
  /** From address of every mail; a verified SES identity on AWS. */
  mailSender: string;
  /** Base URL that officials' links start with, e.g. https://nimitys.example.fi or http://127.0.0.1:3000 */
  publicBaseUrl: string;
  /** SES configuration set (delivery events); optional. */
  mailConfigurationSet?: string;
  /** Secrets Manager secret holding the link-token pepper (on AWS). */
  linkSecretArn?: string;
  /** The pepper's JSON itself: the embedded stack only (never set on AWS). */
  linkSecretValue?: string;
  /** Link-page requests per client address per minute; 0 = no limit (the embedded stack). */
  linkRateLimitPerMinute: number;
}

function nonNegativeInteger(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new ConfigurationError(`Environment variable ${name} must be a whole number >= 0`);
  }
  return parsed;
}

let cached: Config | undefined;

export function config(): Config {
  cached ??= {
    tableName: requireEnv('TABLE_NAME'),
    mailSender: requireEnv('MAIL_SENDER'),
    publicBaseUrl: requireEnv('PUBLIC_BASE_URL').replace(/\/+$/, ''),
    mailConfigurationSet: process.env.MAIL_CONFIGURATION_SET || undefined,
    linkSecretArn: process.env.LINK_SECRET_ARN || undefined,
    linkSecretValue: process.env.LINK_SECRET || undefined,
    linkRateLimitPerMinute: nonNegativeInteger('LINK_RATE_LIMIT_PER_MINUTE', 0),
  };
  return cached;
}

/** Names of the variables above, for infra and the embedded stack. */
export const ENV = {
  tableName: 'TABLE_NAME',
  mailSender: 'MAIL_SENDER',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  mailConfigurationSet: 'MAIL_CONFIGURATION_SET',
  roundStateMachineArn: 'ROUND_STATE_MACHINE_ARN',
  linkSecretArn: 'LINK_SECRET_ARN',
  linkSecretValue: 'LINK_SECRET',
  linkRateLimitPerMinute: 'LINK_RATE_LIMIT_PER_MINUTE',
} as const;
