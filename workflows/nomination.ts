/**
 * The Nomination workflow: one execution per municipality per round.
 *
 *   ┌──────────────── returned ◀──────────────┬─────────────── returned ◀─────────────┐
 *   ▼                                          │                                         │
 *   PlanProposalWait ▶ RequestProposal ▶ PlanApprovalWait ▶ RequestApproval ▶ ApprovalOutcome
 *                                                      PlanDecisionWait ◀─── approved ──┘
 *                                                      ▼          ▲ tabled
 *                                               RequestDecision ▶ DecisionOutcome ─ rejected ▶ RecordRejected ▶ NominationRejected
 *                                                      ▲       │ adopted (as proposed or with changes)
 *                                                      │       ▼
 *                                      returned (objection) ◀ PlanMinuteCheckWait ▶ RequestMinuteCheck ▶ MinuteCheckOutcome
 *                                                              │ no checkers (skip)                       │ all checkers approved
 *                                                              ▼                                          ▼
 *                                               SendExcerpts ─▶ RecordMembers ─▶ NominationCompleted ◀────┘ (via SendExcerpts)
 *
 * An admin's corrected decision starts an execution with resumeAt 'correction':
 *   ResumeAt ─▶ SendCorrection ─▶ CorrectionSent
 *
 * Each Plan*Wait step answers: has the deadline (the nomination's own or the round's)
 * passed, is a reminder due (it mails it), how long may the next wait last. Each Request*
 * state is a waitForTaskToken task that times out at that moment (the next reminder or the
 * deadline) and then goes back to its Plan*Wait: a loop that ends in RecordNoAnswer when
 * the deadline has passed. The link page resumes the task with `{ step, outcome }`.
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
import { NominationStates, type ResumePoint } from './states.ts';

export { NominationStates };

/** Where a retried nomination execution begins (`$.resumeAt`); see admin-actions.ts retryFailedStep. */
export const RESUME_AT_PATH = '$.resumeAt';
export type { ResumePoint };

/** Where the next wait's timeout lives in the state. */
export const WAIT_TIMEOUT_PATH = '$.wait.timeoutSeconds';
const WAIT_EXPIRED_PATH = '$.wait.expired';
/** Set by a Plan*Wait when its step does not apply (a minute check without checkers). */
const WAIT_SKIP_PATH = '$.wait.skip';
/** Where a Request* state keeps the official's answer. */
export const RESULT_OUTCOME_PATH = '$.result.outcome';
const ROUND_ID = '$.roundId';
const MUNICIPALITY_ID = '$.municipalityId';
const FAILURE_PATH = '$.failure';

export interface NominationWorkflowProps {
  requestAction: lambda.IFunction;
  planWait: lambda.IFunction;
  sendExcerpts: lambda.IFunction;
  recordMembers: lambda.IFunction;
  /** Corrected excerpt and member change after an admin recorded a corrected decision. */
  sendCorrection: lambda.IFunction;
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

    const outcomeTask = (stateName: string, outcome: string, end: sfn.IChainable) =>
      new tasks.LambdaInvoke(this, stateName, {
        retryOnServiceExceptions: false,
        lambdaFunction: props.recordOutcome,
        payload: sfn.TaskInput.fromObject({ ...ref, outcome }),
        resultPath: sfn.JsonPath.DISCARD,
        taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
      })
        .addRetry(TRANSIENT_RETRY)
        .addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: FAILURE_PATH })
        .next(end);

    const recordNoAnswer = outcomeTask(
      NominationStates.RecordNoAnswer,
      'no_answer',
      new sfn.Succeed(this, NominationStates.NoAnswer),
    );
    const recordRejected = outcomeTask(
      NominationStates.RecordRejected,
      'rejected',
      new sfn.Succeed(this, NominationStates.NominationRejected),
    );

    const guard = <T extends sfn.TaskStateBase>(task: T): T => {
      task.addRetry(TRANSIENT_RETRY);
      task.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: FAILURE_PATH });
      return task;
    };

    /**
     * Plan → (deadline passed? → no answer) → wait for the link; a timeout plans again.
     * @param skipTo where to go when the plan says the step does not apply
     */
    const officialStep = (
      names: { plan: string; deadline: string; request: string },
      step: OfficialStep,
      skipTo?: sfn.IChainable,
    ): { entry: sfn.State; request: tasks.LambdaInvoke } => {
      const plan = guard(
        new tasks.LambdaInvoke(this, names.plan, {
          retryOnServiceExceptions: false,
          lambdaFunction: props.planWait,
          payload: sfn.TaskInput.fromObject({ ...ref, step }),
          resultSelector: {
            'expired.$': '$.Payload.expired',
            'timeoutSeconds.$': '$.Payload.timeoutSeconds',
            ...(skipTo && { 'skip.$': '$.Payload.skip' }),
          },
          resultPath: '$.wait',
          taskTimeout: sfn.Timeout.duration(Duration.minutes(1)),
        }),
      );
      const request = new tasks.LambdaInvoke(this, names.request, {
        retryOnServiceExceptions: false,
        lambdaFunction: props.requestAction,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ ...ref, step, taskToken: sfn.JsonPath.taskToken }),
        taskTimeout: sfn.Timeout.at(WAIT_TIMEOUT_PATH),
        resultPath: '$.result',
      });
      request.addRetry(TRANSIENT_RETRY);
      request.addCatch(plan, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
      request.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: FAILURE_PATH });
      const choice = new sfn.Choice(this, names.deadline).when(
        sfn.Condition.booleanEquals(WAIT_EXPIRED_PATH, true),
        recordNoAnswer,
      );
      if (skipTo) choice.when(sfn.Condition.booleanEquals(WAIT_SKIP_PATH, true), skipTo);
      plan.next(choice.otherwise(request));
      return { entry: plan, request };
    };

    const step = (stateName: string, fn: lambda.IFunction) =>
      guard(
        new tasks.LambdaInvoke(this, stateName, {
          retryOnServiceExceptions: false,
          lambdaFunction: fn,
          payload: sfn.TaskInput.fromObject(ref),
          resultPath: sfn.JsonPath.DISCARD,
          taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
        }),
      );

    const S = NominationStates;
    const proposal = officialStep(
      { plan: S.PlanProposalWait, deadline: S.ProposalDeadlinePassed, request: S.RequestProposal },
      'proposal',
    );
    const approval = officialStep(
      { plan: S.PlanApprovalWait, deadline: S.ApprovalDeadlinePassed, request: S.RequestApproval },
      'approval',
    );
    const decision = officialStep(
      { plan: S.PlanDecisionWait, deadline: S.DecisionDeadlinePassed, request: S.RequestDecision },
      'decision',
    );

    const recordMembers = step(S.RecordMembers, props.recordMembers);
    const excerpts = step(S.SendExcerpts, props.sendExcerpts)
      .next(recordMembers)
      .next(new sfn.Succeed(this, S.NominationCompleted));
    // The excerpt goes out only after every minute checker has approved the section.
    const minuteCheck = officialStep(
      {
        plan: S.PlanMinuteCheckWait,
        deadline: S.MinuteCheckDeadlinePassed,
        request: S.RequestMinuteCheck,
      },
      'minute_check',
      excerpts,
    );

    const correction = step(S.SendCorrection, props.sendCorrection).next(
      new sfn.Succeed(this, S.CorrectionSent),
    );

    const returned = (outcome: string) => sfn.Condition.stringEquals(RESULT_OUTCOME_PATH, outcome);

    proposal.request.next(approval.entry);
    approval.request.next(
      new sfn.Choice(this, S.ApprovalOutcome)
        .when(returned('returned'), proposal.entry)
        .otherwise(decision.entry),
    );
    decision.request.next(
      new sfn.Choice(this, S.DecisionOutcome)
        .when(returned('returned'), proposal.entry)
        .when(returned('tabled'), decision.entry)
        .when(returned('rejected'), recordRejected)
        .otherwise(minuteCheck.entry),
    );
    // A checker's objection sends the decision back to the committee secretary.
    minuteCheck.request.next(
      new sfn.Choice(this, S.MinuteCheckOutcome)
        .when(returned('returned'), decision.entry)
        .otherwise(excerpts),
    );

    // An admin's retry of a failed nomination (functions/use-cases/admin-actions.ts) starts a
    // new execution with `resumeAt`: it begins at the step that failed. Absent: from the start.
    const resumeAt = (point: ResumePoint) =>
      sfn.Condition.and(
        sfn.Condition.isPresent(RESUME_AT_PATH),
        sfn.Condition.stringEquals(RESUME_AT_PATH, point),
      );
    const start = new sfn.Choice(this, S.ResumeAt)
      .when(resumeAt('approval'), approval.entry)
      .when(resumeAt('decision'), decision.entry)
      .when(resumeAt('minute_check'), minuteCheck.entry)
      .when(resumeAt('excerpts'), excerpts)
      .when(resumeAt('members'), recordMembers)
      .when(resumeAt('correction'), correction)
      .otherwise(proposal.entry);

    this.stateMachine = standardStateMachine(
      this,
      start,
      'One municipality: request, proposal, approval, decision, minute checks, excerpts, members',
      props.logRetention,
    );
  }
}
