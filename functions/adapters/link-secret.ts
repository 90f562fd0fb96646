/**
 * The link-token pepper, read once per process (a Lambda cold start): from Secrets Manager
 * on AWS (LINK_SECRET_ARN), or given as a value by the embedded stack (LINK_SECRET). The
 * value is never logged; a failed read is not cached, so the next request tries again.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type LinkSecret, parseLinkSecret } from '../domain/link-token.ts';
import { ConfigurationError } from '../shared/env.ts';

export interface LinkSecretSettings {
  /** The secret's ARN (AWS). */
  secretArn?: string;
  /** The secret's JSON itself (embedded stack); wins over secretArn. */
  value?: string;
}

export type LinkSecretSource = () => Promise<LinkSecret>;

export function linkSecretSource(
  settings: LinkSecretSettings,
  client: () => SecretsManagerClient,
): LinkSecretSource {
  let loading: Promise<LinkSecret> | undefined;
  const load = async (): Promise<LinkSecret> => {
    if (settings.value) return parseLinkSecret(settings.value);
    if (!settings.secretArn) {
      throw new ConfigurationError('Neither LINK_SECRET_ARN nor LINK_SECRET is set: links cannot be hashed');
    }
    const out = await client().send(new GetSecretValueCommand({ SecretId: settings.secretArn }));
    if (!out.SecretString) throw new ConfigurationError('The link secret has no string value');
    return parseLinkSecret(out.SecretString);
  };
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
