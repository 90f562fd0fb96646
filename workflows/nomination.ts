/**
 * The Nomination workflow: one execution per municipality per round.
 *
 *   RequestProposal ─▶ RequestApproval ─▶ RequestDecision ─▶ SendExcerpts ─▶ RecordMembers ─▶ NominationCompleted
 *        │ (deadline passes: States.Timeout)                          ▶ RecordNoAnswer ─▶ NoAnswer
 *        │ (any step fails for good)                                  ▶ RecordFailure ─▶ NominationFailed
 *
 * Each Request* state is a waitForTaskToken task: the function mails the official a link
 * and stores the task token; the link page resumes the task. Its timeout is the time left
 * until the round's answer deadline, carried in `$.wait.timeoutSeconds` (each callback
 * returns the next value, since ASL has no date arithmetic).
 */
import {
  Duration,
  type aws_lambda as lambda,
  type aws_logs as logs,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { OfficialStep } from '../functions/domain/types.ts';
import { TRANSIENT_RETRY } from './retry.ts';
import { standardStateMachine } from './standard-state-machine.ts';
import { NominationStates } from './states.ts';

export { NominationStates };

/** Where the next wait's timeout lives in the state. */
export const WAIT_TIMEOUT_PATH = '$.wait.timeoutSeconds';
const ROUND_ID = '$.roundId';
const MUNICIPALITY_ID = '$.municipalityId';
const FAILURE_PATH = '$.failure';

export interface NominationWorkflowProps {
  requestAction: lambda.IFunction;
  sendExcerpts: lambda.IFunction;
  recordMembers: lambda.IFunction;
  recordOutcome: lambda.IFunction;
  /** Log group retention etc. are the caller's business; defaults are sane. */
  logRetention?: logs.RetentionDays;
}

export class NominationWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: NominationWorkflowProps) {
    super(scope, id);

    const ref = {
      roundId: sfn.JsonPath.stringAt(ROUND_ID),
      municipalityId: sfn.JsonPath.stringAt(MUNICIPALITY_ID),
    };

    const recordFailure = new tasks.LambdaInvoke(this, NominationStates.RecordFailure, {
      retryOnServiceExceptions: false,
      lambdaFunction: props.recordOutcome,
      payload: sfn.TaskInput.fromObject({
        ...ref,
        outcome: 'failed',
        failure: sfn.JsonPath.objectAt(FAILURE_PATH),
      }),
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
    })
      .addRetry(TRANSIENT_RETRY)
      .next(
        new sfn.Fail(this, NominationStates.NominationFailed, {
          error: 'NominationFailed',
          causePath: '$.failure.Cause',
        }),
      );

    const recordNoAnswer = new tasks.LambdaInvoke(this, NominationStates.RecordNoAnswer, {
      retryOnServiceExceptions: false,
      lambdaFunction: props.recordOutcome,
      payload: sfn.TaskInput.fromObject({ ...ref, outcome: 'no_answer' }),
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
    })
      .addRetry(TRANSIENT_RETRY)
      .next(new sfn.Succeed(this, NominationStates.NoAnswer));

    const protect = <T extends sfn.TaskStateBase>(task: T): T => {
      task.addRetry(TRANSIENT_RETRY);
      task.addCatch(recordNoAnswer, { errors: [sfn.Errors.TIMEOUT], resultPath: FAILURE_PATH });
      task.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: FAILURE_PATH });
      return task;
    };

    const requestStep = (stateName: string, step: OfficialStep) =>
      protect(
        new tasks.LambdaInvoke(this, stateName, {
          retryOnServiceExceptions: false,
          lambdaFunction: props.requestAction,
          integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
          payload: sfn.TaskInput.fromObject({ ...ref, step, taskToken: sfn.JsonPath.taskToken }),
          taskTimeout: sfn.Timeout.at(WAIT_TIMEOUT_PATH),
          resultPath: '$.wait',
        }),
      );

    const step = (stateName: string, fn: lambda.IFunction) =>
      protect(
        new tasks.LambdaInvoke(this, stateName, {
          retryOnServiceExceptions: false,
          lambdaFunction: fn,
          payload: sfn.TaskInput.fromObject(ref),
          resultPath: sfn.JsonPath.DISCARD,
          taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
        }),
      );

    const definition = requestStep(NominationStates.RequestProposal, 'proposal')
      .next(requestStep(NominationStates.RequestApproval, 'approval'))
      .next(requestStep(NominationStates.RequestDecision, 'decision'))
      .next(step(NominationStates.SendExcerpts, props.sendExcerpts))
      .next(step(NominationStates.RecordMembers, props.recordMembers))
      .next(new sfn.Succeed(this, NominationStates.NominationCompleted));

    this.stateMachine = standardStateMachine(
      this,
      definition,
      'One municipality: request, proposal, approval, decision, excerpts, members',
      props.logRetention,
    );
  }
}
