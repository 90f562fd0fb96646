/**
 * The Round workflow: one execution per round, named after the round.
 *
 *   RecordRound ─▶ RunNominations (one Nomination execution per municipality, run to its end)
 *               ─▶ WaitForStartDate ─▶ ActivateGroups (each group) ─▶ CompleteRound
 *
 * RunNominations is a Distributed Map: an inline Map runs at most 40 iterations at once,
 * and a nomination waits for weeks, so a round of 308 municipalities would stall.
 */
import {
  Duration,
  type aws_lambda as lambda,
  type aws_logs as logs,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { TRANSIENT_RETRY } from './retry.ts';
import { standardStateMachine } from './standard-state-machine.ts';
import { RoundStates } from './states.ts';

export { RoundStates };

/** RFC 3339 instant the groups start, from RecordRound. */
export const STARTS_AT_PATH = '$.startsAt';
const NOMINATIONS_PATH = '$.nominations';
const GROUPS_PATH = '$.groups';
/** Far above the 308 municipalities of Finland; the Distributed Map allows 10,000. */
export const MAX_CONCURRENT_NOMINATIONS = 1000;

export interface RoundWorkflowProps {
  nomination: sfn.IStateMachine;
  recordRound: lambda.IFunction;
  activateGroup: lambda.IFunction;
  completeRound: lambda.IFunction;
  logRetention?: logs.RetentionDays;
}

export class RoundWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RoundWorkflowProps) {
    super(scope, id);

    const recordRound = new tasks.LambdaInvoke(this, RoundStates.RecordRound, {
      retryOnServiceExceptions: false,
      lambdaFunction: props.recordRound,
      payload: sfn.TaskInput.fromObject({ roundId: sfn.JsonPath.stringAt('$.roundId') }),
      outputPath: '$.Payload',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
    }).addRetry(TRANSIENT_RETRY);

    const startNomination = new tasks.StepFunctionsStartExecution(this, RoundStates.StartNomination, {
      stateMachine: props.nomination,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      name: sfn.JsonPath.stringAt('$.executionName'),
      input: sfn.TaskInput.fromObject({
        roundId: sfn.JsonPath.stringAt('$.roundId'),
        municipalityId: sfn.JsonPath.stringAt('$.municipalityId'),
        wait: sfn.JsonPath.objectAt('$.wait'),
      }),
      associateWithParent: true,
      resultPath: sfn.JsonPath.DISCARD,
    })
      .addRetry(TRANSIENT_RETRY)
      // A failed nomination is recorded on the nomination itself; the round goes on.
      .addCatch(new sfn.Pass(this, RoundStates.NominationDidNotFinish), {
        errors: [sfn.Errors.ALL],
        resultPath: '$.error',
      });

    const runNominations = new sfn.DistributedMap(this, RoundStates.RunNominations, {
      itemsPath: NOMINATIONS_PATH,
      maxConcurrency: MAX_CONCURRENT_NOMINATIONS,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: sfn.JsonPath.DISCARD,
    }).itemProcessor(startNomination);

    const activateGroups = new sfn.Map(this, RoundStates.ActivateGroups, {
      itemsPath: GROUPS_PATH,
      maxConcurrency: 5,
      resultPath: sfn.JsonPath.DISCARD,
    }).itemProcessor(
      new tasks.LambdaInvoke(this, RoundStates.ActivateGroup, {
        retryOnServiceExceptions: false,
        lambdaFunction: props.activateGroup,
        payloadResponseOnly: false,
        resultPath: sfn.JsonPath.DISCARD,
        taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
      }).addRetry(TRANSIENT_RETRY),
    );

    const completeRound = new tasks.LambdaInvoke(this, RoundStates.CompleteRound, {
      retryOnServiceExceptions: false,
      lambdaFunction: props.completeRound,
      payload: sfn.TaskInput.fromObject({ roundId: sfn.JsonPath.stringAt('$.roundId') }),
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
    }).addRetry(TRANSIENT_RETRY);

    const definition = recordRound
      .next(runNominations)
      .next(
        new sfn.Wait(this, RoundStates.WaitForStartDate, {
          time: sfn.WaitTime.timestampPath(STARTS_AT_PATH),
        }),
      )
      .next(activateGroups)
      .next(completeRound)
      .next(new sfn.Succeed(this, RoundStates.RoundCompleted));

    this.stateMachine = standardStateMachine(
      this,
      definition,
      'One round: nominations of every municipality, then group activation on the start date',
      props.logRetention,
    );
    props.nomination.grantStartExecution(this.stateMachine);
  }
}
