import { aws_logs as logs, RemovalPolicy, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * A Standard state machine with the project's operational defaults: X-Ray tracing and
 * error-level logging without execution data (inputs carry personal data).
 */
export function standardStateMachine(
  scope: Construct,
  definition: sfn.IChainable,
  comment: string,
  logRetention = logs.RetentionDays.SIX_MONTHS,
): sfn.StateMachine {
  return new sfn.StateMachine(scope, 'StateMachine', {
    definitionBody: sfn.DefinitionBody.fromChainable(definition),
    stateMachineType: sfn.StateMachineType.STANDARD,
    comment,
    tracingEnabled: true,
    logs: {
      destination: new logs.LogGroup(scope, 'Logs', {
        retention: logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      level: sfn.LogLevel.ERROR,
      includeExecutionData: false,
    },
  });
}
