/**
 * The admin console's infrastructure: Cognito (pool, admins group, hosted UI domain, an app
 * client with the code grant only), the JWT authorizer on the API routes and none on the
 * browser routes (the function verifies the cookie), the rounds index.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStacks } from '../../infra/stacks.ts';

describe('the admin console in the CDK app', () => {
  let app: Template;
  let data: Template;

  beforeAll(() => {
    // As `cdk deploy` runs it: in an account and region.
    process.env.CDK_DEFAULT_ACCOUNT ??= '123456789012';
    process.env.CDK_DEFAULT_REGION ??= 'eu-north-1';
    const cdkApp = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = buildStacks(cdkApp);
    app = Template.fromStack(stacks.app);
    data = Template.fromStack(stacks.data);
  });

  it('has a user pool without self sign-up, with MFA, and an admins group', () => {
    app.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
    });
    app.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'admins' });
  });

  it('has a hosted UI domain and a public app client with the code grant (PKCE), no implicit grant', () => {
    app.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: Match.anyValue(),
      UserPoolId: Match.anyValue(),
    });
    const clients = Object.values(app.findResources('AWS::Cognito::UserPoolClient')).map(
      (c) => c.Properties as Record<string, unknown>,
    );
    expect(clients).toHaveLength(1);
    const client = clients[0] ?? {};
    expect(client.GenerateSecret).toBe(false);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'email']));
    expect(client.SupportedIdentityProviders).toEqual(['COGNITO']);
    const url = (value: unknown) => JSON.stringify(value);
    expect(client.CallbackURLs).toHaveLength(1);
    expect(url(client.CallbackURLs)).toContain('/admin/kirjaudu/callback');
    expect(client.LogoutURLs).toHaveLength(1);
    expect(url(client.LogoutURLs)).toContain('/admin/kirjaudu/ulos');
    // sessions of a working day: the ID token is the session cookie
    expect(client).toMatchObject({ IdTokenValidity: 480, TokenValidityUnits: { IdToken: 'minutes' } });
  });

  it('puts the JWT authorizer on the API routes, none on the browser routes and links', () => {
    const authorizers = app.findResources('AWS::ApiGatewayV2::Authorizer', {
      Properties: { AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] },
    });
    expect(Object.keys(authorizers)).toHaveLength(1);
    const routes = Object.values(app.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties as { RouteKey: string; AuthorizationType?: string },
    );
    const admin = routes.filter((r) => / \/admin/.test(r.RouteKey));
    expect(admin.map((r) => r.RouteKey).sort()).toEqual([
      'GET /admin',
      'GET /admin/api',
      'GET /admin/api/{proxy+}',
      'GET /admin/kirjaudu',
      'GET /admin/kirjaudu/callback',
      'GET /admin/kirjaudu/ulos',
      'GET /admin/{proxy+}',
      'POST /admin/rounds/new',
      'POST /admin/{proxy+}',
    ]);
    for (const route of admin) {
      expect([route.RouteKey, route.AuthorizationType ?? 'NONE']).toEqual([
        route.RouteKey,
        route.RouteKey.startsWith('GET /admin/api') ? 'JWT' : 'NONE',
      ]);
    }
    for (const route of routes.filter((r) => r.RouteKey.includes('/l/'))) {
      expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
    }
  });

  it('runs the console function in Cognito mode with both state machines', () => {
    app.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ADMIN_AUTH_MODE: 'cognito',
          ADMIN_COGNITO_ISSUER: Match.anyValue(),
          ADMIN_COGNITO_CLIENT_ID: Match.anyValue(),
          ADMIN_COGNITO_DOMAIN: Match.anyValue(),
          ROUND_STATE_MACHINE_ARN: Match.anyValue(),
          NOMINATION_STATE_MACHINE_ARN: Match.anyValue(),
        }),
      },
    });
  });

  it('indexes rounds for the rounds list (no Scan)', () => {
    data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'byKind',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });
});
