/**
 * A Lambda function of functions/ with the project's defaults, plus one-call helpers that
 * set a function's setting and grant the matching permission together. Its code is bundled
 * on this machine by infra/bundle-function.ts (infra/bundling.ts has the settings).
 *
 * Least privilege: each function has its own role with no managed policy (its log group's
 * write, X-Ray, and what infra/function-access.ts lists for its entry: table actions on
 * key prefixes, the link secret, task callbacks). Its log group is encrypted with the
 * platform's key and kept for the retention below.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  AssetHashType,
  DockerImage,
  Duration,
  type aws_dynamodb as dynamodb,
  aws_iam as iam,
  type aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  RemovalPolicy,
  Stack,
  type aws_secretsmanager as secretsmanager,
  Validations,
} from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import { ENV } from '../functions/shared/env.ts';
import { accessOf, type FunctionAccess, type KeyPrefix } from './function-access.ts';
import { MailEvents } from './mail-events.ts';
import { PROJECT_ROOT } from './paths.ts';

export { PROJECT_ROOT };

/** Template metadata key naming a function's source file: the embedded stack runs that file. */
export const ENTRY_METADATA = 'nimitys:entry';

/** Function log retention: half a year covers a nomination round and its appeal period. */
export const FUNCTION_LOG_RETENTION = logs.RetentionDays.SIX_MONTHS;

/**
 * What every function of a stack shares: the key its log group is encrypted with and the
 * link secret. One per stack, found by NodeFunction the way allowMail() finds MailEvents.
 */
export class FunctionPlatform extends Construct {
  static readonly ID = 'FunctionPlatform';

  static of(scope: IConstruct): FunctionPlatform | undefined {
    const found = Stack.of(scope).node.tryFindChild(FunctionPlatform.ID);
    return found instanceof FunctionPlatform ? found : undefined;
  }

  constructor(
    scope: Stack,
    readonly key: kms.IKey,
    readonly linkSecret: secretsmanager.ISecret,
    /** The table's secondary indexes, for functions that may query them. */
    readonly tableIndexes: readonly string[] = [],
  ) {
    super(scope, FunctionPlatform.ID);
  }
}

export interface NodeFunctionProps {
  /** File under functions/, e.g. "send-excerpts.ts". */
  entry: string;
  description: string;
  timeout?: Duration;
  memorySize?: number;
  environment?: Record<string, string>;
}

/**
 * The function's code: its entry bundled by infra/bundle-function.ts with the local esbuild
 * (no Docker). The asset's hash is that of the bundle, so an unchanged bundle is not uploaded
 * again.
 */
function bundledCode(entry: string): lambda.Code {
  const source = path.relative(PROJECT_ROOT, entry);
  return lambda.Code.fromAsset(path.join(PROJECT_ROOT, 'functions'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never run: local bundling always answers (it needs only `npm ci`). The command names
      // the entry for a reason besides the message: CDK caches a bundle by its options, and a
      // function (tryBundle) is not part of that key.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
      command: [
        'sh',
        '-c',
        `echo "${source} is bundled on this machine: npm ci, then cdk synth" >&2; exit 1`,
      ],
      local: {
        tryBundle(outputDir) {
          execFileSync(
            process.execPath,
            ['--import', 'tsx', path.join(PROJECT_ROOT, 'infra', 'bundle-function.ts'), entry, outputDir],
            { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
          );
          return true;
        },
      },
    },
  });
}

export class NodeFunction extends lambda.Function {
  /** What infra/function-access.ts allows this function. */
  readonly access: FunctionAccess;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    const entry = path.join(PROJECT_ROOT, 'functions', props.entry);
    const access = accessOf(props.entry);
    const platform = FunctionPlatform.of(scope);
    // Its own role: no AWSLambdaBasicExecutionRole (logs:CreateLogGroup on every group).
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Nimitys ${props.entry}`,
    });
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: FUNCTION_LOG_RETENTION,
      encryptionKey: platform?.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      code: bundledCode(entry),
      handler: 'index.handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      role,
      // No NODE_OPTIONS=--enable-source-maps: Node would read the map at every cold start
      // (about 20 ms); the map is in the package for reading a stack trace afterwards (runbook).
      environment: { ...props.environment },
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
    });
    (this.node.defaultChild as lambda.CfnFunction).addMetadata(ENTRY_METADATA, `functions/${props.entry}`);
    this.access = access;

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the embedded stack (npm start, the tests) runs the same handlers on Node 22; ' +
        'the runtime moves together with the local toolchain.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level ' +
        'permissions' +
        (access.taskCallbacks
          ? '; states:SendTaskSuccess/SendTaskFailure have none either (they act on a task token, not on an ARN), ' +
            'so this role gets them only because its function resumes waiting workflow tasks'
          : ''),
    });

    if (platform && access.linkSecret) {
      this.addEnvironment(ENV.linkSecretArn, platform.linkSecret.secretArn);
      // Not grantRead(): it would also put this role into the other stack's key policy (a cycle).
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ReadLinkSecret',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [platform.linkSecret.secretArn],
        }),
      );
      const stack = Stack.of(this);
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'LinkSecretKeyThroughSecretsManager',
          actions: ['kms:Decrypt'],
          resources: [platform.key.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` },
          },
        }),
      );
    }
    if (access.taskCallbacks) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ResumeWaitingTasks',
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: ['*'],
        }),
      );
    }
  }

  /**
   * Uses the table as infra/function-access.ts lists for this function: sets TABLE_NAME and
   * grants only those actions, only on items whose partition key has a listed prefix, and
   * the key's use through DynamoDB only.
   */
  bindTable(table: dynamodb.ITableV2): this {
    const indexNames = FunctionPlatform.of(this)?.tableIndexes ?? [];
    this.addEnvironment(ENV.tableName, table.tableName);
    const { read, write, indexes, batchGet } = this.access;
    const leadingKeys = (prefixes: KeyPrefix[]) => ({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((prefix) => `${prefix}*`) },
    });
    const readable = [...new Set([...read, ...write])];
    this.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadOwnKeys',
        actions: ['dynamodb:GetItem', 'dynamodb:Query', ...(batchGet ? ['dynamodb:BatchGetItem'] : [])],
        resources: [table.tableArn],
        conditions: leadingKeys(readable),
      }),
    );
    if (write.length > 0) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'WriteOwnKeys',
          actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [table.tableArn],
          conditions: leadingKeys(write),
        }),
      );
    }
    if (write.includes('ROUND#')) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'WriteSearchEntries',
          actions: ['dynamodb:BatchWriteItem'],
          resources: [table.tableArn],
          conditions: leadingKeys(['SEARCH#']),
        }),
      );
    }
    if (indexes && indexNames.length > 0) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'QueryIndexes',
          actions: ['dynamodb:Query'],
          resources: indexNames.map((name) => `${table.tableArn}/index/${name}`),
        }),
      );
    }
    if (table.encryptionKey) {
      const stack = Stack.of(this);
      this.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'TableKeyThroughDynamoDb',
          actions: [
            'kms:Decrypt',
            'kms:DescribeKey',
            ...(write.length > 0 ? ['kms:Encrypt', 'kms:GenerateDataKey'] : []),
          ],
          resources: [table.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
        }),
      );
    }
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
