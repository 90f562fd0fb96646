/** Delivery proof and the public notice in the synthesized app stack. */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStacks } from '../../infra/stacks.ts';

type Resource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> };

describe('the SES delivery events and the public notice on AWS', () => {
  let template: Template;
  let resources: Record<string, Resource>;
  const fnId = (entry: string) =>
    Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['nimitys:entry'] === `functions/${entry}`,
    )?.[0];

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    template = Template.fromStack(buildStacks(app).app);
    resources = template.toJSON().Resources as Record<string, Resource>;
  });

  it('publishes delivery, bounce, complaint, reject and delay events of a configuration set to SNS', () => {
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['delivery', 'bounce', 'complaint', 'reject', 'deliveryDelay']),
        SnsDestination: { TopicARN: Match.anyValue() },
      }),
    });
  });

  it('subscribes the recording function to the topic', () => {
    const id = fnId('record-mail-event.ts');
    expect(id).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [id, 'Arn'] },
    });
  });

  it('sends the excerpts through the configuration set, allowed on it and on the identity only', () => {
    const id = fnId('send-excerpts.ts') as string;
    const props = resources[id]?.Properties ?? {};
    const env = (props.Environment as { Variables: Record<string, unknown> }).Variables;
    const setId = Object.entries(resources).find(([, r]) => r.Type === 'AWS::SES::ConfigurationSet')?.[0];
    expect(env.MAIL_CONFIGURATION_SET).toEqual({ Ref: setId });
    const roleId = (props.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const policy = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    const document = policy?.Properties?.PolicyDocument as {
      Statement: Array<Record<string, unknown>>;
    };
    const statements = document.Statement;
    const send = statements.find((st) => JSON.stringify(st.Action).includes('ses:SendEmail'));
    expect(JSON.stringify(send?.Resource)).toContain(':identity/nimitys@nimitys.example');
    expect(JSON.stringify(send?.Resource)).toContain(`:configuration-set/",{"Ref":"${setId}"}`);
  });

  it('serves GET /paatos/{roundId}/{municipalityId} from its own function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /paatos/{roundId}/{municipalityId}',
    });
    expect(fnId('public-notice.ts')).toBeDefined();
  });
});
