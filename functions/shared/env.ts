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
}

let cached: Config | undefined;

export function config(): Config {
  cached ??= {
    tableName: requireEnv('TABLE_NAME'),
    mailSender: requireEnv('MAIL_SENDER'),
    publicBaseUrl: requireEnv('PUBLIC_BASE_URL').replace(/\/+$/, ''),
    mailConfigurationSet: process.env.MAIL_CONFIGURATION_SET || undefined,
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
} as const;
