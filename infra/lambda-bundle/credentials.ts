/**
 * The SDK's default credential chain, as Lambda bundles have it: the environment only.
 *
 * Bundles alias `@aws-sdk/credential-provider-node` to this file (infra/bundling.ts). On
 * Lambda the execution role's credentials are always in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, so the rest of the default chain (SSO, INI
 * files, web identity, process, container and instance metadata, with the STS/SSO clients
 * they bring) is dead weight: about 100 KB of every bundle and a share of its cold import.
 * The embedded stack and the tests run the sources, with the full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
