/**
 * Deployment settings, from CDK context (`-c key=value` or cdk.json). Documented in the README.
 */
import type { App } from 'aws-cdk-lib';

export interface DeploymentConfig {
  /** From address of every mail; must be (in) a verified SES identity. */
  mailSender: string;
  /** Public base URL of the links; default: the HTTP API's own URL. */
  publicBaseUrl?: string;
  /** Prefix of the stack names, so several deployments can share an account. */
  stackPrefix: string;
  /** AWS region: context `region`, else the CLI's (CDK_DEFAULT_REGION), else eu-north-1 (Stockholm). */
  region: string;
  /** Where alarms are mailed (an SNS e-mail subscription, confirmed from the mail). */
  operatorEmail?: string;
  /** Link-page requests per client address per minute (0 = off). */
  linkRateLimitPerMinute: number;
  /** Steady request rate and burst of the whole HTTP API (per second). */
  apiRateLimit: number;
  apiBurstLimit: number;
}

export const CONTEXT_DEFAULTS = {
  mailSender: 'nimitys@nimitys.example',
  stackPrefix: 'Nimitys',
  region: 'eu-north-1',
  linkRateLimitPerMinute: 60,
  apiRateLimit: 50,
  apiBurstLimit: 100,
} as const;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function readConfig(app: App): DeploymentConfig {
  const get = (key: string): string | undefined => {
    const value = app.node.tryGetContext(key);
    if (typeof value === 'number') return String(value);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const count = (key: keyof typeof CONTEXT_DEFAULTS & `${string}Limit${string}`): number => {
    const value = get(key);
    if (value === undefined) return CONTEXT_DEFAULTS[key];
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw new Error(`Context ${key} must be a whole number >= 0, got "${value}"`);
    }
    return parsed;
  };
  const mailSender = get('mailSender') ?? CONTEXT_DEFAULTS.mailSender;
  if (!EMAIL.test(mailSender)) {
    throw new Error(`Context mailSender must be an e-mail address, got "${mailSender}"`);
  }
  const publicBaseUrl = get('publicBaseUrl');
  if (publicBaseUrl && !/^https?:\/\/[^\s]+$/.test(publicBaseUrl)) {
    throw new Error(`Context publicBaseUrl must be an http(s) URL, got "${publicBaseUrl}"`);
  }
  const operatorEmail = get('operatorEmail');
  if (operatorEmail && !EMAIL.test(operatorEmail)) {
    throw new Error(`Context operatorEmail must be an e-mail address, got "${operatorEmail}"`);
  }
  return {
    mailSender,
    publicBaseUrl,
    stackPrefix: get('stackPrefix') ?? CONTEXT_DEFAULTS.stackPrefix,
    region: get('region') ?? process.env.CDK_DEFAULT_REGION ?? CONTEXT_DEFAULTS.region,
    operatorEmail,
    linkRateLimitPerMinute: count('linkRateLimitPerMinute'),
    apiRateLimit: count('apiRateLimit'),
    apiBurstLimit: count('apiBurstLimit'),
  };
}
