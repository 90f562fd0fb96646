/** The real adapters, built once per process from the configuration. */
import { dynamoClient, secretsClient, sesClient, sfnClient } from '../adapters/clients.ts';
import { DynamoNominationStore } from '../adapters/dynamo-store.ts';
import { linkSecretSource } from '../adapters/link-secret.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { SfnCallbacks } from '../adapters/sfn-workflow.ts';
import type { Mailer } from '../domain/ports.ts';
import type { Deps } from '../use-cases/deps.ts';
import { config } from './env.ts';
import { METRIC } from './metric-names.ts';
import { countMetric } from './metrics.ts';

let deps: Deps | undefined;

export function productionDeps(): Deps {
  if (deps) return deps;
  const { tableName, mailSender, publicBaseUrl, mailConfigurationSet, linkSecretArn, linkSecretValue } =
    config();
  const db = dynamoClient();
  deps = {
    store: new DynamoNominationStore(db, tableName),
    mailer: countingSends(
      new SesMailer({
        db,
        ses: sesClient(),
        tableName,
        sender: mailSender,
        configurationSet: mailConfigurationSet,
      }),
    ),
    callbacks: new SfnCallbacks(sfnClient()),
    clock: { now: () => new Date() },
    publicBaseUrl,
    linkSecret: linkSecretSource({ secretArn: linkSecretArn, value: linkSecretValue }, secretsClient),
  };
  return deps;
}

/** The mailer, counting each mail SES accepted (metric MailSent). */
function countingSends(mailer: Mailer): Mailer {
  return {
    sendOnce: async (key, content, dates) => {
      const outcome = await mailer.sendOnce(key, content, dates);
      if (outcome === 'sent') countMetric(METRIC.mailSent);
      return outcome;
    },
    recordDelivery: (event) => mailer.recordDelivery(event),
    wasSent: (key) => mailer.wasSent(key),
    listSent: (roundId) => mailer.listSent(roundId),
  };
}
