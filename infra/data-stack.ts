/** Long-lived state: the table and the mail identity. Retained when the stack goes. */
import { aws_dynamodb as dynamodb, RemovalPolicy, Stack, type StackProps, aws_ses as ses } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export const TTL_ATTRIBUTE = 'expiresAtEpoch';

export interface DataStackProps extends StackProps {
  mailSender: string;
}

export class DataStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly senderIdentity: ses.EmailIdentity;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
      // The admin console's rounds list (functions/adapters/dynamo-store.ts ROUNDS_INDEX).
      globalSecondaryIndexes: [
        {
          indexName: 'byKind',
          partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        },
      ],
    });

    this.senderIdentity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity: ses.Identity.email(props.mailSender),
    });
  }
}
