/**
 * NodejsFunction with the project's defaults, plus one-call helpers that set a
 * function's setting and grant the matching permission together.
 */
import path from 'node:path';
import {
  Duration,
  type aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_lambda_nodejs as nodejs,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV } from '../functions/shared/env.ts';
import { LAMBDA_BANNER, LAMBDA_MAIN_FIELDS, LAMBDA_TARGET, lambdaEsbuildArgs } from './bundling.ts';
import { MailEvents } from './mail-events.ts';
import { PROJECT_ROOT } from './paths.ts';

export { PROJECT_ROOT };

/** Template metadata key naming a function's source file: the embedded stack runs that file. */
export const ENTRY_METADATA = 'nimitys:entry';

export interface NodeFunctionProps {
  /** File under functions/, e.g. "send-excerpts.ts". */
  entry: string;
  description: string;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
}

export class NodeFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    const entry = path.join(PROJECT_ROOT, 'functions', props.entry);
    super(scope, id, {
      entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      logGroup: new logs.LogGroup(scope, `${id}Logs`, {
        retention: logs.RetentionDays.SIX_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      // infra/bundling.ts: the settings bench/packages.ts measures.
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: LAMBDA_TARGET,
        minify: true,
        sourceMap: true,
        mainFields: LAMBDA_MAIN_FIELDS,
        banner: LAMBDA_BANNER,
        esbuildArgs: lambdaEsbuildArgs(),
        // The SDK clients go inside, at the versions the tests ran (not the runtime's own copy).
        bundleAwsSDK: true,
      },
    });
    (this.node.defaultChild as lambda.CfnFunction).addMetadata(ENTRY_METADATA, `functions/${props.entry}`);
  }

  /** Reads and writes the table: sets TABLE_NAME and grants access. */
  bindTable(table: dynamodb.ITableV2): this {
    this.addEnvironment(ENV.tableName, table.tableName);
    table.grantReadWriteData(this);
    return this;
  }

  /**
   * Sends mail as the sender identity: grants ses:SendEmail on that identity only and,
   * when the stack has MailEvents, on its configuration set, which the mails then name.
   */
  allowMail(identityName: string): this {
    const events = MailEvents.of(this);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: identityName }),
          ...(events ? [events.configurationSetArn] : []),
        ],
      }),
    );
    if (events) this.addEnvironment(ENV.mailConfigurationSet, events.configurationSetName);
    return this;
  }
}
