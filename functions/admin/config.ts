/**
 * The console's settings, read once at cold start; a missing one fails the import.
 *   ADMIN_AUTH_MODE               cognito (AWS) or local (the embedded stack)
 *   NIMITYS_ADMIN_CREDENTIAL      local only: the credential JSON the embedded stack made
 *   ADMIN_COGNITO_ISSUER          cognito only: https://cognito-idp.<region>.amazonaws.com/<pool id>
 *   ADMIN_COGNITO_CLIENT_ID       cognito only: the console's app client
 *   ADMIN_COGNITO_DOMAIN          cognito only: the hosted UI, https://<prefix>.auth.<region>.amazoncognito.com
 *   ROUND_STATE_MACHINE_ARN       to start rounds
 *   NOMINATION_STATE_MACHINE_ARN  execution history, stop, retry
 * The sign-in's callback lives under PUBLIC_BASE_URL (shared/env.ts), like the links.
 */
import { ConfigurationError } from '../shared/env.ts';
import type { AdminAuthSettings, LocalCredential } from './auth.ts';
import { cognitoUrls } from './cognito.ts';
import { JwksCache } from './jwt.ts';

export const ADMIN_ENV = {
  authMode: 'ADMIN_AUTH_MODE',
  localCredential: 'NIMITYS_ADMIN_CREDENTIAL',
  cognitoIssuer: 'ADMIN_COGNITO_ISSUER',
  cognitoClientId: 'ADMIN_COGNITO_CLIENT_ID',
  cognitoDomain: 'ADMIN_COGNITO_DOMAIN',
  roundStateMachineArn: 'ROUND_STATE_MACHINE_ARN',
  nominationStateMachineArn: 'NOMINATION_STATE_MACHINE_ARN',
} as const;

function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new ConfigurationError(`Environment variable ${name} is not set`);
  return value;
}

function httpUrl(name: string): string {
  const value = required(name).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(value)) throw new ConfigurationError(`${name} must be an http(s) URL`);
  return value;
}

export interface AdminConfig {
  auth: AdminAuthSettings;
  roundStateMachineArn: string;
  nominationStateMachineArn: string;
}

export function adminConfig(publicBaseUrl: string): AdminConfig {
  const mode = required(ADMIN_ENV.authMode);
  let auth: AdminAuthSettings;
  if (mode === 'cognito') {
    const issuer = httpUrl(ADMIN_ENV.cognitoIssuer);
    const domain = httpUrl(ADMIN_ENV.cognitoDomain);
    auth = {
      mode,
      cognito: {
        issuer,
        domain,
        clientId: required(ADMIN_ENV.cognitoClientId),
        publicBaseUrl,
        // Module scope via the handler: one key set per cold start.
        jwks: new JwksCache(cognitoUrls({ issuer, domain, publicBaseUrl }).jwks),
      },
    };
  } else if (mode === 'local') {
    const credential = JSON.parse(required(ADMIN_ENV.localCredential)) as LocalCredential;
    if (!credential.username || !credential.passwordHash || !credential.sessionSecret) {
      throw new ConfigurationError(`${ADMIN_ENV.localCredential} is incomplete`);
    }
    auth = { mode, credential };
  } else throw new ConfigurationError(`${ADMIN_ENV.authMode} must be cognito or local, not ${mode}`);
  return {
    auth,
    roundStateMachineArn: required(ADMIN_ENV.roundStateMachineArn),
    nominationStateMachineArn: required(ADMIN_ENV.nominationStateMachineArn),
  };
}
