/** The admin console's infrastructure: Cognito, the JWT authorizer on /admin, the rounds index. */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStacks } from '../../infra/stacks.ts';

describe('the admin console in the CDK app', () => {
  let app: Template;
  let data: Template;

  beforeAll(() => {
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

  it('puts a JWT authorizer on every /admin route except the sign-in page, and none on the links', () => {
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
      'GET /admin/sign-in',
      'GET /admin/{proxy+}',
      'POST /admin',
      'POST /admin/{proxy+}',
    ]);
    for (const route of admin) {
      expect(route.AuthorizationType).toBe(route.RouteKey === 'GET /admin/sign-in' ? 'NONE' : 'JWT');
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
