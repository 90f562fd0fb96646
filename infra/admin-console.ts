/**
 * The admin console on AWS: a Cognito user pool (no self sign-up, MFA required) with
 * an `admins` group, its hosted UI (a Cognito domain), an app client for the console
 * (authorization code grant with PKCE only, no implicit grant, no client secret), and
 * the function that serves the console.
 *
 * Routes on the HTTP API:
 * - /admin/api and /admin/api/{proxy+} (GET, JSON for API clients): the JWT authorizer
 *   checks the bearer token before the function runs.
 * - every other /admin route (the pages a browser opens, the sign-in at /admin/kirjaudu,
 *   its callback and sign-out return): no API Gateway authorizer, since a browser sends
 *   no Authorization header; the function verifies the session cookie (the ID token) on
 *   every request against the pool's JWKS (functions/admin/auth.ts, jwt.ts).
 * Either way the function checks the `cognito:groups` claim itself: a valid token
 * without the admins group gets 403.
 */
import {
  aws_apigatewayv2 as apigw,
  aws_apigatewayv2_authorizers as authorizers,
  CfnOutput,
  aws_cognito as cognito,
  Duration,
  type aws_dynamodb as dynamodb,
  aws_apigatewayv2_integrations as integrations,
  RemovalPolicy,
  Stack,
  type aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ADMINS_GROUP } from '../functions/admin/auth.ts';
import { CALLBACK_PATH, SIGN_IN_BASE, SIGNED_OUT_PATH } from '../functions/admin/cognito.ts';
import { ADMIN_ENV } from '../functions/admin/config.ts';
import { START_ROUND_PATH } from '../functions/admin/pages.ts';
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
  /**
   * The hosted UI's domain prefix (<prefix>.auth.<region>.amazoncognito.com), unique in the
   * region. Default: context `adminDomainPrefix`, else "<stack name>-<account>" in lower case.
   */
  domainPrefix?: string;
}

/** A session lasts a working day; then the hosted UI asks again (its own session permitting). */
export const ADMIN_TOKEN_VALIDITY = Duration.hours(8);

export class AdminConsole extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  readonly function: NodeFunction;
  /** Starts rounds from uploaded round files: the one route that needs the round-file parser. */
  readonly startRoundFunction: NodeFunction;

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
    const stack = Stack.of(this);
    const context = this.node.tryGetContext('adminDomainPrefix');
    this.domain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: {
        domainPrefix:
          props.domainPrefix ??
          (typeof context === 'string' && context
            ? context
            : `${stack.stackName.toLowerCase()}-${stack.account}`),
      },
    });
    // A public client: the function keeps no client secret, PKCE (S256) protects the code.
    this.client = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${props.publicBaseUrl}${CALLBACK_PATH}`],
        logoutUrls: [`${props.publicBaseUrl}${SIGNED_OUT_PATH}`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: ADMIN_TOKEN_VALIDITY,
      accessTokenValidity: ADMIN_TOKEN_VALIDITY,
      refreshTokenValidity: ADMIN_TOKEN_VALIDITY,
      enableTokenRevocation: true,
    });
    const issuer = `https://cognito-idp.${stack.region}.amazonaws.com/${this.userPool.userPoolId}`;
    // Both console functions read the same settings (functions/admin/config.ts).
    const environment = {
      ...props.environment,
      [ADMIN_ENV.authMode]: 'cognito',
      [ADMIN_ENV.cognitoIssuer]: issuer,
      [ADMIN_ENV.cognitoClientId]: this.client.userPoolClientId,
      [ADMIN_ENV.cognitoDomain]: this.domain.baseUrl(),
      [ADMIN_ENV.roundStateMachineArn]: props.roundStateMachine.stateMachineArn,
      [ADMIN_ENV.nominationStateMachineArn]: props.nominationStateMachine.stateMachineArn,
    };

    this.function = new NodeFunction(this, 'AdminApiFn', {
      entry: 'admin-api.ts',
      description: 'The admin console and its API',
      environment,
    })
      .bindTable(props.table)
      .allowMail(props.mailSender);
    props.roundStateMachine.grantStartExecution(this.function);
    props.nominationStateMachine.grantStartExecution(this.function);
    props.nominationStateMachine.grantRead(this.function); // DescribeExecution, GetExecutionHistory
    props.nominationStateMachine.grantExecution(this.function, 'states:StopExecution');

    this.startRoundFunction = new NodeFunction(this, 'AdminStartRoundFn', {
      entry: 'admin-start-round.ts',
      description: 'The admin console: starts a round from an uploaded round file',
      environment,
    }).bindTable(props.table);
    props.roundStateMachine.grantStartExecution(this.startRoundFunction);

    const authorizer = new authorizers.HttpJwtAuthorizer('AdminJwtAuthorizer', issuer, {
      jwtAudience: [this.client.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
    const integration = new integrations.HttpLambdaIntegration('AdminIntegration', this.function);
    const { GET, POST } = apigw.HttpMethod;
    // API clients: bearer tokens, checked by API Gateway first (and the group by the function).
    for (const path of ['/admin/api', '/admin/api/{proxy+}']) {
      props.api.addRoutes({ path, methods: [GET], integration, authorizer });
    }
    // Browsers: the session cookie, verified by the function on every request.
    props.api.addRoutes({ path: '/admin', methods: [GET], integration });
    props.api.addRoutes({ path: '/admin/{proxy+}', methods: [GET, POST], integration });
    // The upload form's POST: more specific than /admin/{proxy+}, so API Gateway sends it here.
    props.api.addRoutes({
      path: START_ROUND_PATH,
      methods: [POST],
      integration: new integrations.HttpLambdaIntegration(
        'AdminStartRoundIntegration',
        this.startRoundFunction,
      ),
    });
    // The sign-in's own addresses, named so that they stay open whatever /admin/{proxy+} gets.
    for (const path of [SIGN_IN_BASE, CALLBACK_PATH, SIGNED_OUT_PATH]) {
      props.api.addRoutes({ path, methods: [GET], integration });
    }

    new CfnOutput(this, 'AdminUserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'AdminUserPoolClientId', { value: this.client.userPoolClientId });
    new CfnOutput(this, 'AdminSignInUrl', { value: `${props.publicBaseUrl}${SIGN_IN_BASE}` });
  }
}
