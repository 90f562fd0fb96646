/** Functions, workflows and the HTTP API. Stateful resources come in through props. */
import {
  aws_apigatewayv2 as apigw,
  CfnOutput,
  type aws_dynamodb as dynamodb,
  aws_apigatewayv2_integrations as integrations,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV } from '../functions/shared/env.ts';
import { NominationWorkflow } from '../workflows/nomination.ts';
import { RoundWorkflow } from '../workflows/round.ts';
import { AdminConsole } from './admin-console.ts';
import { MailEvents } from './mail-events.ts';
import { NodeFunction } from './node-function.ts';

export interface AppStackProps extends StackProps {
  table: dynamodb.ITableV2;
  mailSender: string;
  publicBaseUrl?: string;
}

export class AppStack extends Stack {
  readonly api: apigw.HttpApi;
  readonly nomination: NominationWorkflow;
  readonly round: RoundWorkflow;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);

    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Nimitys: pages behind the links officials receive by e-mail',
    });
    const publicBaseUrl = props.publicBaseUrl ?? this.api.apiEndpoint;
    const environment = { [ENV.mailSender]: props.mailSender, [ENV.publicBaseUrl]: publicBaseUrl };
    const fn = (id: string, entry: string, description: string) =>
      new NodeFunction(this, id, { entry, description, environment }).bindTable(props.table);
    // Before any allowMail(): mails then go through its configuration set (delivery events).
    const mailEvents = new MailEvents(this);

    const requestAction = fn(
      'RequestActionFn',
      'request-action.ts',
      'Mails an official the link of a step',
    ).allowMail(props.mailSender);
    const planWait = fn(
      'PlanWaitFn',
      'plan-wait.ts',
      'Before each wait: deadline passed?, reminder due?, how long to wait',
    ).allowMail(props.mailSender);
    const sendExcerpts = fn(
      'SendExcerptsFn',
      'send-excerpts.ts',
      'Sends the excerpt and its copies',
    ).allowMail(props.mailSender);
    const sendCorrection = fn(
      'SendCorrectionFn',
      'send-correction.ts',
      'Sends the corrected excerpt and applies the member change',
    ).allowMail(props.mailSender);
    const recordMembers = fn('RecordMembersFn', 'record-members.ts', 'Records the decided members');
    const recordOutcome = fn(
      'RecordOutcomeFn',
      'record-outcome.ts',
      'Ends a nomination with no answer or a failure',
    ).allowMail(props.mailSender);
    const recordRound = fn('RecordRoundFn', 'record-round.ts', 'Records a round and plans its nominations');
    const activateGroup = fn(
      'ActivateGroupFn',
      'activate-group.ts',
      'Activates a group and welcomes its members',
    ).allowMail(props.mailSender);
    const completeRound = fn('CompleteRoundFn', 'complete-round.ts', 'Marks a round completed');
    const linkPage = fn('LinkPageFn', 'link-page.ts', 'Pages behind the e-mailed links').allowMail(
      props.mailSender,
    );

    this.nomination = new NominationWorkflow(this, 'Nomination', {
      requestAction,
      planWait,
      sendExcerpts,
      recordMembers,
      sendCorrection,
      recordOutcome,
    });
    this.nomination.stateMachine.grantTaskResponse(linkPage);

    this.round = new RoundWorkflow(this, 'Round', {
      nomination: this.nomination.stateMachine,
      recordRound,
      activateGroup,
      completeRound,
    });

    const integration = new integrations.HttpLambdaIntegration('LinkPageIntegration', linkPage);
    this.api.addRoutes({
      path: '/l/{token}',
      methods: [apigw.HttpMethod.GET, apigw.HttpMethod.POST],
      integration,
    });

    // --- Admin console (issue 6): Cognito user pool + admins group, JWT authorizer on /admin,
    // the console's function. Everything in infra/admin-console.ts.
    new AdminConsole(this, 'AdminConsole', {
      api: this.api,
      table: props.table,
      mailSender: props.mailSender,
      environment,
      publicBaseUrl,
      roundStateMachine: this.round.stateMachine,
      nominationStateMachine: this.nomination.stateMachine,
    });
    // --- end of admin console

    // --- Excerpt delivery proof and public notice (issue 4)
    mailEvents.deliverTo(
      fn('RecordMailEventFn', 'record-mail-event.ts', 'Records SES delivery events on the outbox').allowMail(
        props.mailSender,
      ),
    );
    this.api.addRoutes({
      path: '/paatos/{roundId}/{municipalityId}',
      methods: [apigw.HttpMethod.GET],
      integration: new integrations.HttpLambdaIntegration(
        'PublicNoticeIntegration',
        fn('PublicNoticeFn', 'public-notice.ts', 'Public notice of a decision (Kuntalaki 140 §)'),
      ),
    });
    // --- end of issue 4

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'RoundStateMachineArn', { value: this.round.stateMachine.stateMachineArn });
    new CfnOutput(this, 'NominationStateMachineArn', { value: this.nomination.stateMachine.stateMachineArn });
  }
}
