/**
 * The console's settings, read once at cold start; a missing one fails the import.
 *   ADMIN_AUTH_MODE               cognito (AWS: the HTTP API's JWT authorizer) or local
 *   NIMITYS_ADMIN_CREDENTIAL      local only: the credential JSON the embedded stack made
 *   ROUND_STATE_MACHINE_ARN       to start rounds
 *   NOMINATION_STATE_MACHINE_ARN  execution history, stop, retry
 */
import { ConfigurationError } from '../shared/env.ts';
import type { AdminAuthSettings, LocalCredential } from './auth.ts';

export const ADMIN_ENV = {
  authMode: 'ADMIN_AUTH_MODE',
  localCredential: 'NIMITYS_ADMIN_CREDENTIAL',
  roundStateMachineArn: 'ROUND_STATE_MACHINE_ARN',
  nominationStateMachineArn: 'NOMINATION_STATE_MACHINE_ARN',
} as const;

function required(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new ConfigurationError(`Environment variable ${name} is not set`);
  return value;
}

export interface AdminConfig {
  auth: AdminAuthSettings;
  roundStateMachineArn: string;
  nominationStateMachineArn: string;
}

export function adminConfig(): AdminConfig {
  const mode = required(ADMIN_ENV.authMode);
  let auth: AdminAuthSettings;
  if (mode === 'cognito') auth = { mode };
  else if (mode === 'local') {
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
