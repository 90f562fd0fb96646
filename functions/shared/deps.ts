/**
 * The real adapters, each built once per process from the configuration.
 *
 * A handler asks for the adapters beyond the table that it uses (`productionDepsWith`),
 * or for all of them (`productionDeps`): a bundle then carries only the SDK clients its
 * function calls (infra/function-access.ts lists what each may call). An adapter a handler
 * did not ask for throws a ConfigurationError when used.
 */
import { dynamoClient, onFirstUse, secretsClient, sesClient, sfnClient } from '../adapters/clients.ts';
import { DynamoNominationStore } from '../adapters/dynamo-store.ts';
import { type LinkSecretSource, linkSecretSource } from '../adapters/link-secret.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { SfnCallbacks } from '../adapters/sfn-workflow.ts';
import type { Mailer, NominationStore, WorkflowCallbacks } from '../domain/ports.ts';
import type { Deps } from '../use-cases/deps.ts';
import { ConfigurationError, config } from './env.ts';
import { METRIC } from './metric-names.ts';
import { countMetric } from './metrics.ts';

let store: NominationStore | undefined;
let mailer: Mailer | undefined;
let callbacks: WorkflowCallbacks | undefined;
let linkSecret: LinkSecretSource | undefined;

/** The table, with the adapters given; any other one fails when used. */
export function productionDepsWith(
  parts: Partial<Pick<Deps, 'mailer' | 'callbacks' | 'linkSecret'>> = {},
): Deps {
  const { tableName, publicBaseUrl } = config();
  store ??= new DynamoNominationStore(dynamoClient(), tableName);
  return {
    store,
    mailer: parts.mailer ?? notGiven<Mailer>('mailer'),
    callbacks: parts.callbacks ?? notGiven<WorkflowCallbacks>('workflow callbacks'),
    clock: { now: () => new Date() },
    publicBaseUrl,
    linkSecret: parts.linkSecret ?? (() => Promise.reject(notGivenError('link secret'))),
  };
}

/** Every adapter: the table, mail, workflow callbacks and the link secret. */
export function productionDeps(): Deps {
  return productionDepsWith({
    mailer: productionMailer(),
    callbacks: productionCallbacks(),
    linkSecret: productionLinkSecret(),
  });
}

/** Mail through SES with the table's outbox, counting each mail SES accepted. */
export function productionMailer(): Mailer {
  const { tableName, mailSender, mailConfigurationSet } = config();
  mailer ??= countingSends(
    new SesMailer({
      db: dynamoClient(),
      ses: onFirstUse(sesClient),
      tableName,
      sender: mailSender,
      configurationSet: mailConfigurationSet,
    }),
  );
  return mailer;
}

/** Resuming waiting workflow tasks (Step Functions task tokens). */
export function productionCallbacks(): WorkflowCallbacks {
  callbacks ??= new SfnCallbacks(onFirstUse(sfnClient));
  return callbacks;
}

/** The link-token pepper (Secrets Manager on AWS, a value locally). */
export function productionLinkSecret(): LinkSecretSource {
  const { linkSecretArn, linkSecretValue } = config();
  linkSecret ??= linkSecretSource({ secretArn: linkSecretArn, value: linkSecretValue }, secretsClient);
  return linkSecret;
}

function notGivenError(what: string): ConfigurationError {
  return new ConfigurationError(
    `This function was not given the ${what} (shared/deps.ts productionDepsWith)`,
  );
}

/** Stands in for an adapter the handler did not ask for: each of its methods throws. */
function notGiven<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: (_, key) =>
      key === 'then'
        ? undefined
        : () => {
            throw notGivenError(what);
          },
  });
}

/** The mailer, counting each mail SES accepted (metric MailSent). */
function countingSends(inner: Mailer): Mailer {
  return {
    sendOnce: async (key, content, dates) => {
      const outcome = await inner.sendOnce(key, content, dates);
      if (outcome === 'sent') countMetric(METRIC.mailSent);
      return outcome;
    },
    recordDelivery: (event) => inner.recordDelivery(event),
    wasSent: (key) => inner.wasSent(key),
    listSent: (roundId) => inner.listSent(roundId),
  };
}
