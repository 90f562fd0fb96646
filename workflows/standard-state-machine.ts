import {
  type aws_kms as kms,
  aws_logs as logs,
  RemovalPolicy,
  Stack,
  aws_stepfunctions as sfn,
  Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The stack's key for state machines and their logs (infra/app-stack.ts sets it). */
const KEY_ID = 'StateMachineKey';

/** Encrypts every state machine of the stack (definition, history, logs) with this key. */
export function useStateMachineKey(stack: Stack, key: kms.IKey): void {
  // A construct, not a global: found per stack, the way NodeFunction finds its platform.
  new StateMachineKeyHolder(stack, key);
}

class StateMachineKeyHolder extends Construct {
  constructor(
    scope: Stack,
    readonly key: kms.IKey,
  ) {
    super(scope, KEY_ID);
  }
}

function keyOf(scope: Construct): kms.IKey | undefined {
  const holder = Stack.of(scope).node.tryFindChild(KEY_ID);
  return holder instanceof StateMachineKeyHolder ? holder.key : undefined;
}

/**
 * A Standard state machine with the project's operational defaults: X-Ray tracing,
 * error-level logging without execution data (inputs carry personal data), and, when the
 * stack has a key, its definition, execution history and log group encrypted with that key.
 */
export function standardStateMachine(
  scope: Construct,
  definition: sfn.IChainable,
  comment: string,
  logRetention = logs.RetentionDays.SIX_MONTHS,
): sfn.StateMachine {
  const key = keyOf(scope);
  const machine = new sfn.StateMachine(scope, 'StateMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(definition),
    stateMachineType: sfn.StateMachineType.STANDARD,
    comment,
    tracingEnabled: true,
    encryptionConfiguration: key ? new sfn.CustomerManagedEncryptionConfiguration(key) : undefined,
    logs: {
      destination: new logs.LogGroup(scope, 'Logs', {
        retention: logRetention,
        encryptionKey: key,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      level: sfn.LogLevel.ERROR,
      includeExecutionData: false,
    },
  });
  Validations.of(machine.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and ' +
      'log delivery (logs:CreateLogDelivery and related) have no resource-level permissions.',
  });
  Validations.of(machine).acknowledge({
    id: 'AwsSolutions-SF1',
    reason:
      'Logging at ERROR without execution data on purpose: ALL would log every state transition, and the ' +
      'inputs and outputs name officials and nominees. Failures are logged; X-Ray and the execution metrics ' +
      'and alarms cover the rest.',
  });
  return machine;
}
