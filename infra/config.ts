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
}

export const CONTEXT_DEFAULTS = {
  mailSender: 'nimitys@nimitys.example',
  stackPrefix: 'Nimitys',
} as const;

export function readConfig(app: App): DeploymentConfig {
  const get = (key: string): string | undefined => {
    const value = app.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const mailSender = get('mailSender') ?? CONTEXT_DEFAULTS.mailSender;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(mailSender)) {
    throw new Error(`Context mailSender must be an e-mail address, got "${mailSender}"`);
  }
  const publicBaseUrl = get('publicBaseUrl');
  if (publicBaseUrl && !/^https?:\/\/[^\s]+$/.test(publicBaseUrl)) {
    throw new Error(`Context publicBaseUrl must be an http(s) URL, got "${publicBaseUrl}"`);
  }
  return { mailSender, publicBaseUrl, stackPrefix: get('stackPrefix') ?? CONTEXT_DEFAULTS.stackPrefix };
}
