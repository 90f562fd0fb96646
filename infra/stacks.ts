import type { App } from 'aws-cdk-lib';
import { AppStack } from './app-stack.ts';
import { readConfig } from './config.ts';
import { DataStack, TABLE_INDEXES } from './data-stack.ts';

/** Builds the project's stacks on an app; shared by `cdk` and the embedded stack. */
export function buildStacks(app: App): { data: DataStack; app: AppStack } {
  const config = readConfig(app);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: config.region };
  const data = new DataStack(app, `${config.stackPrefix}Data`, { env, mailSender: config.mailSender });
  const appStack = new AppStack(app, `${config.stackPrefix}App`, {
    env,
    table: data.table,
    tableIndexes: TABLE_INDEXES,
    key: data.key,
    linkSecret: data.linkSecret,
    mailSender: config.mailSender,
    publicBaseUrl: config.publicBaseUrl,
    operatorEmail: config.operatorEmail,
    linkRateLimitPerMinute: config.linkRateLimitPerMinute,
    apiRateLimit: config.apiRateLimit,
    apiBurstLimit: config.apiBurstLimit,
  });
  return { data, app: appStack };
}
