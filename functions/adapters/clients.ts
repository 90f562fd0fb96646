/**
 * The SDK clients, created once per process (Lambda container or embedded stack).
 * Endpoints come from the standard AWS_ENDPOINT_URL_* variables, so the same code
 * talks to AWS or to the local emulators without a special case.
 *
 * A service the SDK could not reach at all (connection refused or reset, DNS failure),
 * after the SDK's own retries, surfaces as ServiceUnreachableError: a name the workflows
 * retry with backoff (workflows/retry.ts). The SDK itself throws a plain `Error` with a
 * `code`, which Step Functions would see as `Error` and not retry.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Socket-level failures: nothing reached the service, or its answer never came back. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** A service could not be reached over the network (the SDK's retries included). */
export class ServiceUnreachableError extends Error {
  override readonly name = 'ServiceUnreachableError';
}

export function isNetworkError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/** Outermost middleware: sees the error after the SDK's retries and names a network failure. */
export function nameNetworkErrors<C>(client: C, service: string): C {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (!isNetworkError(error)) throw error;
        const code = (error as { code: string }).code;
        throw new ServiceUnreachableError(`${service} unreachable (${code})`, { cause: error });
      }
    },
    { step: 'initialize', name: 'nimitysNetworkErrors' },
  );
  return client;
}

let dynamo: DynamoDBDocumentClient | undefined;
let ses: SESv2Client | undefined;
let sfn: SFNClient | undefined;
let secrets: SecretsManagerClient | undefined;

export function dynamoClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(nameNetworkErrors(new DynamoDBClient({}), 'DynamoDB'), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamo;
}

export function sesClient(): SESv2Client {
  ses ??= nameNetworkErrors(new SESv2Client({}), 'SES');
  return ses;
}

export function sfnClient(): SFNClient {
  sfn ??= nameNetworkErrors(new SFNClient({}), 'Step Functions');
  return sfn;
}

export function secretsClient(): SecretsManagerClient {
  secrets ??= nameNetworkErrors(new SecretsManagerClient({}), 'Secrets Manager');
  return secrets;
}

/**
 * A client made on its first request: a function that may call a service builds its client
 * only when it does (a link page's GET never mails or resumes a task). About 3-5 ms of a
 * cold start per client not needed.
 */
export function onFirstUse<C extends { send: (...args: never[]) => unknown }>(
  make: () => C,
): Pick<C, 'send'> {
  return { send: ((...args: Parameters<C['send']>) => make().send(...args)) as C['send'] };
}
