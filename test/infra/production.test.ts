/**
 * Issue 9, proved offline: what `npx cdk deploy` would create passes cdk-nag (AwsSolutions)
 * with every finding acknowledged beside its construct, passes the CDK's built-in
 * CloudFormation validation, and has the least-privilege, data, secret, observability and
 * edge settings the platform team asked for. One synth serves every test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, type IApplyRule, NagRuleCompliance } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/shared/metric-names.ts';
import { OPEN_ROUTES } from '../../infra/app-stack.ts';
import { FUNCTION_ACCESS } from '../../infra/function-access.ts';
import { SES_BOUNCE_RATE_ALARM, SES_COMPLAINT_RATE_ALARM } from '../../infra/operations.ts';
import { buildStacks } from '../../infra/stacks.ts';

/**
 * Resource types that no AwsSolutions rule examines, each reviewed here by hand. A resource
 * of any other type that gets no verdict from the pack fails the test below: a new kind of
 * resource must be reviewed before it ships.
 */
const REVIEWED_WITHOUT_NAG_RULE: Record<string, string> = {
  'AWS::ApiGatewayV2::Api': 'CORS closed, throttled stage and access logs: asserted under "edges"',
  'AWS::ApiGatewayV2::Authorizer': 'the Cognito JWT authorizer of /admin/api: asserted under "edges"',
  'AWS::ApiGatewayV2::Integration': 'Lambda proxy integrations, no settings of their own',
  'AWS::CloudWatch::Alarm': 'thresholds and actions asserted under "observability"',
  'AWS::CloudWatch::Dashboard': 'asserted under "observability"',
  'AWS::Cognito::UserPoolClient': 'code grant with PKCE, no secret: test/infra/admin-console.test.ts',
  'AWS::Cognito::UserPoolDomain': 'hosted UI domain: test/infra/admin-console.test.ts',
  'AWS::Cognito::UserPoolGroup': 'the admins group: test/infra/admin-console.test.ts',
  'AWS::DynamoDB::GlobalTable':
    'DDB3 looks at AWS::DynamoDB::Table only; PITR, KMS, deletion protection, retain, TTL asserted under "data"',
  'AWS::Lambda::Permission': 'API Gateway and SNS may invoke their own function only',
  'AWS::Logs::LogGroup': 'KMS key and retention asserted under "data"',
  'AWS::SES::ConfigurationSet': 'delivery events to SNS: test/infra/mail-events.test.ts',
  'AWS::SES::ConfigurationSetEventDestination': 'test/infra/mail-events.test.ts',
  'AWS::SES::EmailIdentity': 'the sender identity (verification in the README)',
  'AWS::SNS::Subscription': "the delivery-event function and the operators' e-mail",
  'AWS::SNS::TopicPolicy': 'enforceSSL (deny aws:SecureTransport false) on both topics',
};

/** AwsSolutions, recording every rule's verdict and every finding before acknowledgements. */
class RecordingChecks extends AwsSolutionsChecks {
  readonly resources = new Map<string, { type: string; verdicts: Set<string> }>();
  readonly findings: Array<{ path: string; id: string }> = [];

  protected override applyRule(params: IApplyRule): void {
    const suffix = params.ruleSuffixOverride ?? params.rule.name;
    const ruleId = `AwsSolutions-${suffix}`;
    const path = params.node.node.path;
    const entry = this.resources.get(path) ?? { type: params.node.cfnResourceType, verdicts: new Set() };
    this.resources.set(path, entry);
    const rule = params.rule;
    super.applyRule({
      ...params,
      ruleSuffixOverride: suffix,
      rule: (node: CfnResource) => {
        const result = rule(node);
        if (result !== NagRuleCompliance.NOT_APPLICABLE) entry.verdicts.add(suffix);
        if (result === NagRuleCompliance.NON_COMPLIANT) this.findings.push({ path, id: ruleId });
        if (Array.isArray(result)) {
          for (const finding of result) this.findings.push({ path, id: `${ruleId}[${finding}]` });
        }
        return result;
      },
    });
  }
}

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** The cdk.json flag that makes the built-in CloudFormation validation's findings errors. */
const CFN_VALIDATION_FAILS = '@aws-cdk/core:validateAgainstDefaultRules';

type Statement = {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
};
const leadingKeysOf = (s: Statement | undefined): string[] | undefined =>
  (s?.Condition?.['ForAllValues:StringLike'] as Record<string, string[]> | undefined)?.[
    'dynamodb:LeadingKeys'
  ];
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the production stacks (issue 9)', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'nimitys-prod-'));
  let root: App;
  let stacks: ReturnType<typeof buildStacks>;
  let checks: RecordingChecks;
  let report: ReturnType<RecordingChecks['validateScope']>;
  let data: Template;
  let app: Template;
  let appJson: {
    Resources: Record<
      string,
      { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
    >;
  };

  /** The policy statements of the role of the function built from `entry`. */
  const statementsOf = (entry: string): Statement[] => {
    const [, fn] =
      Object.entries(appJson.Resources).find(
        ([, r]) =>
          r.Type === 'AWS::Lambda::Function' && r.Metadata?.['nimitys:entry'] === `functions/${entry}`,
      ) ?? [];
    const roleId = ((fn?.Properties.Role as { 'Fn::GetAtt': string[] }) ?? { 'Fn::GetAtt': [] })[
      'Fn::GetAtt'
    ][0];
    return Object.values(appJson.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  };

  beforeAll(() => {
    // prepare: the app as `cdk synth` builds it (bundling skipped), with operators' e-mail
    root = new App({
      outdir,
      context: {
        'aws:cdk:bundling-stacks': [],
        operatorEmail: 'ops@siunsote.example',
        // As cdk.json sets it: CloudFormation validation findings fail the synth.
        [CFN_VALIDATION_FAILS]: true,
      },
    });
    stacks = buildStacks(root);
    // act: nag as a plugin (as infra/app.ts registers it) plus a recording run; one synth
    Validations.of(root).addPlugins(new AwsSolutionsChecks(root));
    checks = new RecordingChecks();
    report = checks.validateScope(root);
    const assembly = root.synth();
    data = Template.fromJSON(assembly.getStackByName(stacks.data.stackName).template);
    appJson = assembly.getStackByName(stacks.app.stackName).template;
    app = Template.fromJSON(appJson);
  }, 300_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  describe('cdk-nag and CloudFormation validation', () => {
    it('leaves no unacknowledged AwsSolutions finding, and synth (with the built-in validation) succeeds', () => {
      const open = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources[0]?.constructPath}`);
      expect(open).toEqual([]);
      expect(checks.findings.length).toBeGreaterThan(0); // the pack did run and found things to acknowledge
    });

    it('acknowledges each finding beside its construct, with a specific reason, and nothing that is not found', () => {
      const acks = acknowledgements(root);
      expect(acks.length).toBeGreaterThan(10);
      for (const ack of acks) {
        expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
        const concerned = checks.findings.filter(
          (f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
        );
        expect(
          concerned.length,
          `stale or misplaced acknowledgement ${ack.id} at ${ack.path}`,
        ).toBeGreaterThan(0);
        // beside its construct: never on a stack or the app as a whole
        expect(Stack.isStack(root.node.findChild(ack.path.split('/')[0] ?? ''))).toBe(true);
        expect(ack.path.split('/').length, `${ack.id} acknowledged on a whole stack`).toBeGreaterThan(1);
      }
    });

    it('gives every resource a nag verdict, unless its type was reviewed here by hand', () => {
      const unjudged = new Set(
        [...checks.resources.values()].filter((r) => r.verdicts.size === 0).map((r) => r.type),
      );
      const unreviewed = [...unjudged].filter((type) => !(type in REVIEWED_WITHOUT_NAG_RULE));
      expect(unreviewed, 'new resource types without a nag verdict: review and list them').toEqual([]);
      expect(checks.resources.size).toBeGreaterThan(100);
    });

    it('fails the synth when the built-in CloudFormation validation finds an invalid template (control)', () => {
      const broken = new App({
        outdir: mkdtempSync(path.join(tmpdir(), 'nimitys-bad-')),
        context: { [CFN_VALIDATION_FAILS]: true },
      });
      const stack = new Stack(broken, 'Broken');
      new CfnResource(stack, 'Bad', { type: 'AWS::SNS::Topic', properties: { FifoTopic: 'sometimes' } });
      expect(() => broken.synth()).toThrow();
    });
  });

  describe('least privilege', () => {
    it('uses no AWS managed policy and no Scan, DeleteItem or dynamodb:* anywhere', () => {
      for (const role of Object.values(app.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
      const all = Object.values(app.findResources('AWS::IAM::Policy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement as Statement[],
      );
      const actions = all.flatMap(actionsOf);
      expect(actions).not.toContain('dynamodb:*');
      expect(actions).not.toContain('dynamodb:Scan');
      expect(actions).not.toContain('dynamodb:DeleteItem');
      expect(actions.filter((a) => a.startsWith('dynamodb:')).length).toBeGreaterThan(20);
    });

    it('grants each function only its listed table actions, on its own key prefixes', () => {
      for (const [entry, access] of Object.entries(FUNCTION_ACCESS)) {
        const statements = statementsOf(entry);
        const read = statements.find((s) => s.Sid === 'ReadOwnKeys');
        expect(read, entry).toBeDefined();
        const readKeys = leadingKeysOf(read);
        expect(readKeys?.sort()).toEqual(
          [...new Set([...access.read, ...access.write])].map((p) => `${p}*`).sort(),
        );
        const write = statements.find((s) => s.Sid === 'WriteOwnKeys');
        if (access.write.length === 0) expect(write, entry).toBeUndefined();
        else {
          expect(actionsOf(write as Statement).sort()).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
          expect(leadingKeysOf(write)?.sort()).toEqual(access.write.map((p) => `${p}*`).sort());
        }
        // only the console queries indexes
        expect(
          statements.some((s) => s.Sid === 'QueryIndexes'),
          entry,
        ).toBe(Boolean(access.indexes));
      }
      // the public notice only reads; the link page counts its clients' requests under RATE#
      expect(statementsOf('public-notice.ts').flatMap(actionsOf)).not.toContain('dynamodb:PutItem');
      expect(JSON.stringify(statementsOf('link-page.ts'))).toContain('RATE#*');
      expect(JSON.stringify(statementsOf('record-round.ts'))).not.toContain('LINK#*');
    });

    it('lets only the link page and the request step resume tasks, and only link minters read the secret', () => {
      for (const [entry, access] of Object.entries(FUNCTION_ACCESS)) {
        const actions = statementsOf(entry).flatMap(actionsOf);
        expect(actions.includes('states:SendTaskSuccess'), entry).toBe(Boolean(access.taskCallbacks));
        expect(actions.includes('secretsmanager:GetSecretValue'), entry).toBe(Boolean(access.linkSecret));
      }
      expect(
        Object.entries(FUNCTION_ACCESS)
          .filter(([, a]) => a.taskCallbacks)
          .map(([e]) => e)
          .sort(),
      ).toEqual(['link-page.ts', 'request-action.ts']);
    });

    it('sends mail only as the sender identity and through the configuration set', () => {
      const ses = Object.values(app.findResources('AWS::IAM::Policy'))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
        .filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
      expect(ses.length).toBeGreaterThanOrEqual(8);
      for (const statement of ses) {
        expect(actionsOf(statement).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
        const resources = JSON.stringify(statement.Resource);
        expect(resources).toContain('identity/nimitys@nimitys.example');
        expect(resources).toContain('configuration-set/');
        expect(resources).not.toContain('identity/*');
      }
    });
  });

  describe('data', () => {
    it('encrypts the table with the rotating customer-managed key, with PITR, deletion protection, retain and TTL', () => {
      data.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      data.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
      data.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
          TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
          Replicas: [
            Match.objectLike({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              DeletionProtectionEnabled: true,
              SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
            }),
          ],
        }),
      });
    });

    it('encrypts every log group and both state machines with that key, and keeps logs for a set time', () => {
      const groups = Object.values(app.findResources('AWS::Logs::LogGroup'));
      expect(groups.length).toBeGreaterThanOrEqual(16);
      for (const group of groups) {
        expect(JSON.stringify(group.Properties.KmsKeyId)).toContain('Key');
        expect(group.Properties.RetentionInDays).toBe(180);
      }
      app.allResourcesProperties('AWS::StepFunctions::StateMachine', {
        EncryptionConfiguration: Match.objectLike({ Type: 'CUSTOMER_MANAGED_KMS_KEY' }),
        LoggingConfiguration: Match.objectLike({ Level: 'ERROR', IncludeExecutionData: false }),
        TracingConfiguration: { Enabled: true },
      });
    });

    it("lets CloudWatch Logs use the key only for this account's log groups", () => {
      const key = Object.values(data.findResources('AWS::KMS::Key'))[0];
      const logs = ((key?.Properties.KeyPolicy.Statement ?? []) as Statement[]).find((s) =>
        JSON.stringify(s).includes('logs.eu-north-1.amazonaws.com'),
      );
      expect(JSON.stringify(logs?.Condition)).toContain('kms:EncryptionContext:aws:logs:arn');
    });
  });

  describe('secrets', () => {
    it('creates the link pepper in Secrets Manager, generated, encrypted with the key, retained', () => {
      data.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          GenerateSecretString: Match.objectLike({ GenerateStringKey: 'current', PasswordLength: 64 }),
          KmsKeyId: Match.anyValue(),
        }),
      });
    });

    it('names the secret (never its value) in the environment of the functions that hash links', () => {
      const functions = Object.values(app.findResources('AWS::Lambda::Function')).filter(
        (f) => f.Metadata?.['nimitys:entry'],
      );
      for (const fn of functions) {
        const entry = String(fn.Metadata['nimitys:entry']).replace('functions/', '');
        const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
        expect('LINK_SECRET_ARN' in variables, entry).toBe(Boolean(FUNCTION_ACCESS[entry]?.linkSecret));
        expect(variables.LINK_SECRET).toBeUndefined();
      }
    });
  });

  describe('observability', () => {
    it('gives every function X-Ray tracing and JSON logs', () => {
      const functions = Object.values(app.findResources('AWS::Lambda::Function')).filter(
        (f) => f.Metadata?.['nimitys:entry'],
      );
      expect(functions.length).toBe(Object.keys(FUNCTION_ACCESS).length);
      for (const fn of functions) {
        expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
        expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
      }
    });

    it('alarms on failed and timed-out executions, function errors and throttles, SES rates, API 5xx and a missing audit entry', () => {
      const alarms = Object.values(app.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
      const named = (metric: string, namespace: string) =>
        alarms.filter((a) => a.MetricName === metric && a.Namespace === namespace);
      expect(named('ExecutionsFailed', 'AWS/States')).toHaveLength(2);
      expect(named('ExecutionsTimedOut', 'AWS/States')).toHaveLength(2);
      const functionCount = Object.keys(FUNCTION_ACCESS).length;
      expect(named('Errors', 'AWS/Lambda')).toHaveLength(functionCount);
      expect(named('Throttles', 'AWS/Lambda')).toHaveLength(functionCount);
      expect(named('5xx', 'AWS/ApiGateway')).toHaveLength(1);
      expect(named(METRIC.auditNotWritten, METRICS_NAMESPACE)).toEqual([
        expect.objectContaining({ Threshold: 1, Dimensions: [{ Name: 'service', Value: SERVICE_NAME }] }),
      ]);
      const [bounce] = named('Reputation.BounceRate', 'AWS/SES');
      const [complaint] = named('Reputation.ComplaintRate', 'AWS/SES');
      expect(bounce?.Threshold).toBe(SES_BOUNCE_RATE_ALARM);
      expect(complaint?.Threshold).toBe(SES_COMPLAINT_RATE_ALARM);
      expect(SES_BOUNCE_RATE_ALARM).toBeLessThan(0.05); // SES reviews at 5 %
      expect(SES_COMPLAINT_RATE_ALARM).toBeLessThan(0.001); // and at 0.1 %
      for (const alarm of alarms) {
        expect(alarm.AlarmActions).toHaveLength(1);
        expect(JSON.stringify(alarm.AlarmActions)).toContain('AlarmTopic');
        expect(alarm.AlarmDescription).toMatch(/docs\/runbook\.md#[a-z0-9-]+$/);
      }
    });

    it('mails the alarms to the operators through an encrypted, TLS-only topic, and has a dashboard', () => {
      app.hasResourceProperties('AWS::SNS::Topic', {
        DisplayName: 'Nimitys alarms',
        KmsMasterKeyId: Match.anyValue(),
      });
      app.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@siunsote.example',
      });
      app.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      const body = JSON.stringify(Object.values(app.findResources('AWS::CloudWatch::Dashboard'))[0]);
      for (const metric of ['MailSent', 'MailBounced', 'LinkUsed', 'DecisionRecorded', 'ExecutionsFailed']) {
        expect(body).toContain(metric);
      }
    });
  });

  describe('edges', () => {
    it('logs API access by route key (never the path, which holds link tokens) and throttles the stage', () => {
      const [stage] = Object.values(app.findResources('AWS::ApiGatewayV2::Stage')).map((s) => s.Properties);
      const format = String(stage?.AccessLogSettings?.Format);
      expect(format).toContain('$context.routeKey');
      expect(format).toContain('$context.requestId');
      expect(format).not.toMatch(/\$context\.(path|sourceIp|identity)/);
      expect(stage?.DefaultRouteSettings).toMatchObject({
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      });
      expect(stage?.RouteSettings).toMatchObject({
        'GET /l/{token}': { ThrottlingRateLimit: 20 },
        'POST /l/{token}': { ThrottlingRateLimit: 20 },
      });
    });

    it('has CORS closed, the JWT authorizer on /admin/api, and a stated reason for every open route', () => {
      const [api] = Object.values(app.findResources('AWS::ApiGatewayV2::Api')).map((a) => a.Properties);
      expect(api?.CorsConfiguration).toBeUndefined();
      const routes = Object.values(app.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
      const adminApi = routes.filter((r) => String(r.RouteKey).includes(' /admin/api'));
      expect(adminApi.length).toBeGreaterThan(0);
      for (const route of adminApi) expect(route.AuthorizationType).toBe('JWT');
      for (const route of routes.filter((r) => (r.AuthorizationType ?? 'NONE') === 'NONE')) {
        const path = String(route.RouteKey).split(' ')[1] ?? '';
        expect(
          OPEN_ROUTES.some((open) => path.startsWith(open.prefix)),
          path,
        ).toBe(true);
      }
    });

    it('rate-limits the link pages per client (the limit reaches the function)', () => {
      app.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ LINK_RATE_LIMIT_PER_MINUTE: '60' }) },
      });
    });
  });
});
