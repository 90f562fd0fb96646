/**
 * The admin console on AWS: a Cognito user pool (no self sign-up, MFA required) with
 * an `admins` group, an app client for the console, the HTTP API's JWT authorizer on
 * every /admin route except the sign-in page, and the function that serves the console.
 * The function checks the `cognito:groups` claim itself: a valid token without the
 * admins group gets 403.
 */
import {
  aws_apigatewayv2 as apigw,
  aws_apigatewayv2_authorizers as authorizers,
  CfnOutput,
  aws_cognito as cognito,
  type aws_dynamodb as dynamodb,
  aws_apigatewayv2_integrations as integrations,
  RemovalPolicy,
  Stack,
  type aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ADMINS_GROUP } from '../functions/admin/auth.ts';
import { ADMIN_ENV } from '../functions/admin/config.ts';
import { NodeFunction } from './node-function.ts';

export interface AdminConsoleProps {
  api: apigw.HttpApi;
  table: dynamodb.ITableV2;
  mailSender: string;
  /** The settings every function gets (mail sender, public base URL). */
  environment: Record<string, string>;
  publicBaseUrl: string;
  roundStateMachine: sfn.IStateMachine;
  nominationStateMachine: sfn.IStateMachine;
}

export class AdminConsole extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly function: NodeFunction;

  constructor(scope: Construct, id: string, props: AdminConsoleProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 12, requireSymbols: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPool.addGroup('AdminsGroup', {
      groupName: ADMINS_GROUP,
      description: 'Nimitys admins: may use the admin console',
    });
    this.client = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${props.publicBaseUrl}/admin`],
      },
      preventUserExistenceErrors: true,
    });

    this.function = new NodeFunction(this, 'AdminApiFn', {
      entry: 'admin-api.ts',
      description: 'The admin console and its API',
      environment: {
        ...props.environment,
        [ADMIN_ENV.authMode]: 'cognito',
        [ADMIN_ENV.roundStateMachineArn]: props.roundStateMachine.stateMachineArn,
        [ADMIN_ENV.nominationStateMachineArn]: props.nominationStateMachine.stateMachineArn,
      },
    })
      .bindTable(props.table)
      .allowMail(props.mailSender);
    props.roundStateMachine.grantStartExecution(this.function);
    props.nominationStateMachine.grantStartExecution(this.function);
    props.nominationStateMachine.grantRead(this.function); // DescribeExecution, GetExecutionHistory
    props.nominationStateMachine.grantExecution(this.function, 'states:StopExecution');

    const region = Stack.of(this).region;
    const authorizer = new authorizers.HttpJwtAuthorizer(
      'AdminJwtAuthorizer',
      `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`,
      { jwtAudience: [this.client.userPoolClientId], identitySource: ['$request.header.Authorization'] },
    );
    const integration = new integrations.HttpLambdaIntegration('AdminIntegration', this.function);
    const methods = [apigw.HttpMethod.GET, apigw.HttpMethod.POST];
    for (const path of ['/admin', '/admin/{proxy+}']) {
      props.api.addRoutes({ path, methods, integration, authorizer });
    }
    // The sign-in page carries no data: it tells where to sign in.
    props.api.addRoutes({ path: '/admin/sign-in', methods: [apigw.HttpMethod.GET], integration });

    new CfnOutput(this, 'AdminUserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'AdminUserPoolClientId', { value: this.client.userPoolClientId });
  }
}
