/**
 * Long-lived state: the encryption key, the table, the link secret and the mail identity.
 * Retained when the stack goes: deleting the stack deletes none of them.
 */
import {
  ArnFormat,
  Duration,
  aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_kms as kms,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_secretsmanager as secretsmanager,
  aws_ses as ses,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LINK_SECRET_FIELDS } from '../functions/domain/link-token.ts';

export const TTL_ATTRIBUTE = 'expiresAtEpoch';

/** The table's global secondary indexes (functions/adapters/dynamo-store.ts ROUNDS_INDEX). */
export const TABLE_INDEXES = ['byKind'] as const;

export interface DataStackProps extends StackProps {
  mailSender: string;
}

export class DataStack extends Stack {
  /** Customer-managed key of the table, the secret, the log groups, the state machines and the alarm topic. */
  readonly key: kms.Key;
  readonly table: dynamodb.TableV2;
  /** Peppers link-token hashes (HMAC-SHA256): `{"current": "…", "previous": "…"}`. */
  readonly linkSecret: secretsmanager.Secret;
  readonly senderIdentity: ses.EmailIdentity;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);

    this.key = new kms.Key(this, 'Key', {
      description: 'Nimitys: table, link secret, logs, state machines, alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
      policy: keyPolicy(this),
    });

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // Links (90 days after their deadline) and rate-limit windows (an hour) carry expiresAtEpoch.
      // The outbox rows, the mails' idempotency keys, are kept: they prove the delivery of decisions.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
      // The admin console's rounds list (functions/adapters/dynamo-store.ts ROUNDS_INDEX).
      globalSecondaryIndexes: [
        {
          indexName: TABLE_INDEXES[0],
          partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        },
      ],
    });

    this.linkSecret = new secretsmanager.Secret(this, 'LinkSecret', {
      description: 'Nimitys: pepper of the link-token hashes; rotate as docs/runbook.md says',
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: LINK_SECRET_FIELDS.current,
        passwordLength: 64,
        excludePunctuation: true,
      },
    });
    Validations.of(this.linkSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The link pepper is rotated by hand (docs/runbook.md): a new value must keep the old one as "previous" ' +
        'until every link minted with it has expired, which a generic rotation Lambda does not do.',
    });

    this.senderIdentity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity: ses.Identity.email(props.mailSender),
    });
  }
}

/**
 * The key policy: the account administers the key through IAM (the functions' and state
 * machines' roles get only the actions they need, with kms:ViaService conditions), and the
 * services that encrypt on our behalf may use it in this account only: CloudWatch Logs for
 * the log groups, SES and CloudWatch alarms for the encrypted SNS topics.
 */
function keyPolicy(stack: Stack): iam.PolicyDocument {
  const account = stack.account;
  const region = stack.region;
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AccountAdministersTheKeyThroughIam',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:*'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
      new iam.PolicyStatement({
        sid: 'SesAndAlarmsPublishToEncryptedTopics',
        principals: [
          new iam.ServicePrincipal('ses.amazonaws.com'),
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    ],
  });
}
