/** Functions, workflows and the HTTP API. Stateful resources come in through props. */
import {
  aws_apigatewayv2 as apigw,
  aws_apigateway as apigwv1,
  type CfnElement,
  CfnOutput,
  type aws_dynamodb as dynamodb,
  aws_apigatewayv2_integrations as integrations,
  type aws_kms as kms,
  aws_logs as logs,
  RemovalPolicy,
  Stack,
  type StackProps,
  type aws_secretsmanager as secretsmanager,
  type aws_stepfunctions as sfn,
  Token,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV } from '../functions/shared/env.ts';
import { NominationWorkflow } from '../workflows/nomination.ts';
import { RoundWorkflow } from '../workflows/round.ts';
import { useStateMachineKey } from '../workflows/standard-state-machine.ts';
import { AdminConsole } from './admin-console.ts';
import { MailEvents } from './mail-events.ts';
import { FUNCTION_LOG_RETENTION, FunctionPlatform, NodeFunction } from './node-function.ts';
import { Operations } from './operations.ts';

export interface AppStackProps extends StackProps {
  table: dynamodb.ITableV2;
  /** The table's secondary indexes (the admin console queries them). */
  tableIndexes: readonly string[];
  /** Encrypts the log groups, the state machines and the alarm topic. */
  key: kms.IKey;
  linkSecret: secretsmanager.ISecret;
  mailSender: string;
  publicBaseUrl?: string;
  operatorEmail?: string;
  linkRateLimitPerMinute: number;
  apiRateLimit: number;
  apiBurstLimit: number;
}

/**
 * The access log: who asked for what route and how it went. Route keys, not paths: a link's
 * path is its token. No client address, no user agent (the link pages' limiter keys a hash).
 */
export const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
} as const;

/** Link routes: a tighter stage-level limit than the API's own, before the per-client one. */
export const LINK_ROUTE_THROTTLE = { rate: 20, burst: 40 } as const;

export class AppStack extends Stack {
  readonly api: apigw.HttpApi;
  readonly nomination: NominationWorkflow;
  readonly round: RoundWorkflow;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    new FunctionPlatform(this, props.key, props.linkSecret, props.tableIndexes);
    useStateMachineKey(this, props.key);

    this.api = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Nimitys: pages behind the links officials receive by e-mail',
      createDefaultStage: false,
      // No corsPreflight: pages and forms are same-origin; no other site may call the API.
    });
    const accessLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', {
      retention: FUNCTION_LOG_RETENTION,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.apiRateLimit, burstLimit: props.apiBurstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: apigwv1.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });
    const linkRoute = {
      ThrottlingRateLimit: LINK_ROUTE_THROTTLE.rate,
      ThrottlingBurstLimit: LINK_ROUTE_THROTTLE.burst,
    };
    (stage.node.defaultChild as apigw.CfnStage).routeSettings = {
      'GET /l/{token}': linkRoute,
      'POST /l/{token}': linkRoute,
    };

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
    linkPage.addEnvironment(ENV.linkRateLimitPerMinute, String(props.linkRateLimitPerMinute));

    this.nomination = new NominationWorkflow(this, 'Nomination', {
      requestAction,
      planWait,
      sendExcerpts,
      recordMembers,
      sendCorrection,
      recordOutcome,
    });
    // Task callbacks (states:SendTaskSuccess) are granted by infra/function-access.ts, on '*':
    // the action has no resource-level permissions, so grantTaskResponse's ARN would not work.

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
    const adminConsole = new AdminConsole(this, 'AdminConsole', {
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

    this.operations = new Operations(this, 'Operations', {
      key: props.key,
      operatorEmail: props.operatorEmail,
      functions: this.node.findAll().filter((c): c is NodeFunction => c instanceof NodeFunction),
      stateMachines: { Nomination: this.nomination.stateMachine, Round: this.round.stateMachine },
      api: this.api,
    });

    acknowledgeWorkflowGrants(this, adminConsole, [
      [
        this.nomination.stateMachine,
        [requestAction, planWait, sendExcerpts, recordMembers, sendCorrection, recordOutcome],
      ],
      [this.round.stateMachine, [recordRound, activateGroup, completeRound]],
    ]);
    Validations.of(adminConsole.userPool).acknowledge({
      id: 'AwsSolutions-COG1',
      reason:
        'Passwords of at least 12 characters without composition rules (NIST SP 800-63B advises against ' +
        'them), and TOTP MFA is required for every admin.',
    });
    Validations.of(adminConsole.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        "A handful of admin accounts, all with TOTP MFA, no self sign-up, admin-created only; the Plus tier's " +
        'threat protection can be switched on (featurePlan PLUS) if the platform team wants it.',
    });
    acknowledgeOpenRoutes(this.api);

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'RoundStateMachineArn', { value: this.round.stateMachine.stateMachineArn });
    new CfnOutput(this, 'NominationStateMachineArn', { value: this.nomination.stateMachine.stateMachineArn });
  }
}

/**
 * The wildcards the Step Functions grants carry, each on the policy that holds it: a
 * Lambda task may invoke a version or alias of its function (`<fn>:*`), and executions
 * have run-time names, so a grant on a state machine's executions ends in `*`.
 */
function acknowledgeWorkflowGrants(
  stack: AppStack,
  adminConsole: AdminConsole,
  steps: Array<[sfn.StateMachine, NodeFunction[]]>,
): void {
  for (const [machine, functions] of steps) {
    for (const fn of functions) {
      Validations.of(machine.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason:
          'LambdaInvoke grants lambda:InvokeFunction on the step function and its versions and aliases ' +
          "(<arn>:*); only this state machine's own step functions are named.",
      });
    }
  }
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const executions = (machine: string, suffix: string) =>
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machine}"}]}]}${suffix}]`;
  const nominationId = stack.getLogicalId(stack.nomination.stateMachine.node.defaultChild as never);
  const roundId = stack.getLogicalId(stack.round.stateMachine.node.defaultChild as never);
  Validations.of(stack.round.stateMachine.role).acknowledge({
    id: executions(nominationId, '*'),
    reason:
      'startExecution.sync describes and stops the nomination executions it starts; their names are the ' +
      'round and municipality ids, known only at run time. Only executions of the Nomination machine.',
  });
  const distributedMap = stack.round.stateMachine.node.tryFindChild('DistributedMapPolicy');
  if (distributedMap) {
    for (const suffix of [':*', '/*:*']) {
      Validations.of(distributedMap).acknowledge({
        id: executions(roundId, suffix),
        reason:
          'The Distributed Map runs child executions of the Round machine itself (named at run time); ' +
          "the grant covers only this machine's executions and their map runs.",
      });
    }
  }
  Validations.of(adminConsole.function.role ?? adminConsole.function).acknowledge({
    id: executions(nominationId, ':*'),
    reason:
      'The console reads the history of, and stops, the nomination executions it shows (retry and stop ' +
      'buttons); execution names are known only at run time. Only executions of the Nomination machine.',
  });
}

/** Routes without an API Gateway authorizer, each with the reason it needs none. */
export const OPEN_ROUTES: Array<{ prefix: string; reason: string }> = [
  {
    prefix: '/l/',
    reason:
      'The links officials get by e-mail: the 256-bit token in the path is the credential (only its HMAC is ' +
      'stored), and the pages are rate-limited per client and per route.',
  },
  {
    prefix: '/paatos/',
    reason: 'The public notice of a decision (Kuntalaki 140 §) is public by law; it shows nothing else.',
  },
  {
    prefix: '/admin',
    reason:
      'Browser routes of the admin console: a browser sends no Authorization header, so the function verifies ' +
      "the session cookie (a Cognito ID token) against the pool's JWKS and the admins group on every request; " +
      '/admin/api routes use the JWT authorizer.',
  },
];

function acknowledgeOpenRoutes(api: apigw.HttpApi): void {
  for (const route of api.node.children) {
    if (!(route instanceof apigw.HttpRoute)) continue;
    const cfn = route.node.defaultChild as apigw.CfnRoute;
    if (cfn.authorizationType && cfn.authorizationType !== 'NONE') continue;
    const path = String(cfn.routeKey).split(' ')[1] ?? '';
    const open = OPEN_ROUTES.find((r) => path.startsWith(r.prefix));
    if (open) Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: open.reason });
  }
}
