import { createRequire } from 'node:module';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStacks } from '../../infra/stacks.ts';
import { type LocalStateMachine, synthesizeLocalApp } from '../../local/template.ts';
import { NominationStates, WAIT_TIMEOUT_PATH } from '../../workflows/nomination.ts';
import { MAX_CONCURRENT_NOMINATIONS, RoundStates, STARTS_AT_PATH } from '../../workflows/round.ts';

type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};
const validateAsl = createRequire(import.meta.url)('asl-validator') as AslValidator;

type State = Record<string, unknown> & { Type: string };
type Definition = { StartAt: string; States: Record<string, State> };

function synth(context: Record<string, string> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = buildStacks(app);
  return { data: Template.fromStack(stacks.data), app: Template.fromStack(stacks.app) };
}

/** Every state of a definition, Map and Parallel branches included. */
function allStates(definition: Definition): Record<string, State> {
  const states: Record<string, State> = {};
  const walk = (d: Definition) => {
    for (const [name, state] of Object.entries(d.States)) {
      states[name] = state;
      const processor = (state.ItemProcessor ?? state.Iterator) as Definition | undefined;
      if (processor) walk(processor);
      for (const branch of (state.Branches as Definition[] | undefined) ?? []) walk(branch);
    }
  };
  walk(definition);
  return states;
}

describe('the CDK app', () => {
  let templates: ReturnType<typeof synth>;
  let machines: LocalStateMachine[];
  let round: Definition;
  let nomination: Definition;

  beforeAll(() => {
    templates = synth();
    machines = synthesizeLocalApp({ apiBaseUrl: 'https://api.example' }).stateMachines;
    round = machines.find((m) => m.name === 'NimitysRound')?.definition as Definition;
    nomination = machines.find((m) => m.name === 'NimitysNomination')?.definition as Definition;
  });

  it('keeps the table: on-demand, point-in-time recovery, TTL, deletion protection, retained', () => {
    templates.data.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });

  it('runs every function on Node 22 arm64 with the table and mail settings', () => {
    const functions = templates.app.findResources('AWS::Lambda::Function', {
      Metadata: { 'nimitys:entry': Match.anyValue() },
    });
    expect(Object.keys(functions).length).toBeGreaterThanOrEqual(9);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
        expect.arrayContaining(['TABLE_NAME', 'MAIL_SENDER', 'PUBLIC_BASE_URL']),
      );
    }
  });

  it('scopes SES sending to the sender identity, never to every identity', () => {
    const policies = templates.app.findResources('AWS::IAM::Policy');
    const sesStatements = Object.values(policies)
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>)
      .filter((s) => JSON.stringify(s.Action).includes('ses:'));
    expect(sesStatements.length).toBeGreaterThanOrEqual(5);
    for (const statement of sesStatements) {
      expect(JSON.stringify(statement.Resource)).toContain('identity/nimitys@nimitys.example');
      expect(JSON.stringify(statement.Resource)).not.toContain('identity/*');
    }
  });

  it('takes the sender and the public URL from context', () => {
    const { app } = synth({
      mailSender: 'noreply@siunsote.fi',
      publicBaseUrl: 'https://nimitys.siunsote.fi',
    });
    app.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MAIL_SENDER: 'noreply@siunsote.fi',
          PUBLIC_BASE_URL: 'https://nimitys.siunsote.fi',
        }),
      },
    });
    expect(() => synth({ mailSender: 'not an address' })).toThrow(/mailSender/);
  });

  it('serves the link pages on GET and POST /l/{token} through one HTTP API', () => {
    templates.app.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    templates.app.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /l/{token}' });
    templates.app.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /l/{token}' });
  });

  it('defines two Standard state machines with error logging and tracing, without execution data', () => {
    templates.app.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    templates.app.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ERROR', IncludeExecutionData: false }),
    });
  });

  it('synthesizes ASL that asl-validator accepts, with unique state names across Map branches', () => {
    for (const machine of machines) {
      const result = validateAsl(structuredClone(machine.definition));
      expect(result.isValid, `${machine.name}: ${result.errorsText('\n')}`).toBe(true);
      const names: string[] = [];
      const collect = (d: Definition) => {
        for (const [name, state] of Object.entries(d.States)) {
          names.push(name);
          const processor = (state.ItemProcessor ?? state.Iterator) as Definition | undefined;
          if (processor) collect(processor);
        }
      };
      collect(machine.definition as Definition);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('waits for each official with a task token and a timeout planned before the wait, which plans again', () => {
    const states = allStates(nomination);
    for (const [plan, deadline, request] of [
      [
        NominationStates.PlanProposalWait,
        NominationStates.ProposalDeadlinePassed,
        NominationStates.RequestProposal,
      ],
      [
        NominationStates.PlanApprovalWait,
        NominationStates.ApprovalDeadlinePassed,
        NominationStates.RequestApproval,
      ],
      [
        NominationStates.PlanDecisionWait,
        NominationStates.DecisionDeadlinePassed,
        NominationStates.RequestDecision,
      ],
    ] as const) {
      const state = states[request] as State;
      expect(state.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(state.TimeoutSecondsPath).toBe(WAIT_TIMEOUT_PATH);
      expect(JSON.stringify(state.Parameters)).toContain('"taskToken.$":"$$.Task.Token"');
      const catches = state.Catch as Array<{ ErrorEquals: string[]; Next: string }>;
      expect(catches[0]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: plan });
      expect(catches[1]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: NominationStates.RecordFailure });
      expect((state.Retry as Array<{ ErrorEquals: string[] }>)[0]?.ErrorEquals).toContain(
        'ThrottlingException',
      );
      expect((states[plan] as State).Next).toBe(deadline);
      const choice = states[deadline] as unknown as {
        Choices: Array<{ Variable: string; Next: string }>;
        Default: string;
      };
      expect(choice.Choices[0]).toMatchObject({
        Variable: '$.wait.expired',
        Next: NominationStates.RecordNoAnswer,
      });
      expect(choice.Default).toBe(request);
    }
  });

  it('orders the nomination: proposal, approval, decision, excerpts, members, with loops back on return and tabling', () => {
    const states = allStates(nomination);
    const next = (name: string) => {
      const state = states[name] as State & { Default?: string };
      return (state.Next ?? state.Default) as string | undefined;
    };
    const path: string[] = [];
    let name: string | undefined = nomination.StartAt;
    while (name) {
      path.push(name);
      name = next(name);
    }
    expect(path.filter((n) => n.startsWith('Request') || !n.includes('Wait'))).toEqual(
      expect.arrayContaining([
        NominationStates.RequestProposal,
        NominationStates.RequestApproval,
        NominationStates.RequestDecision,
        NominationStates.SendExcerpts,
        NominationStates.RecordMembers,
        NominationStates.NominationCompleted,
      ]),
    );
    const outcomes = (choice: string) =>
      Object.fromEntries(
        (
          (states[choice] as unknown as { Choices: Array<{ StringEquals: string; Next: string }> }).Choices ??
          []
        ).map((c) => [c.StringEquals, c.Next]),
      );
    expect(outcomes(NominationStates.ApprovalOutcome)).toEqual({
      returned: NominationStates.PlanProposalWait,
    });
    expect(outcomes(NominationStates.DecisionOutcome)).toEqual({
      returned: NominationStates.PlanProposalWait,
      tabled: NominationStates.PlanDecisionWait,
      rejected: NominationStates.RecordRejected,
    });
    // adopted → the minute check (skipped without checkers) → excerpts; an objection → the secretary
    expect(next(NominationStates.DecisionOutcome)).toBe(NominationStates.PlanMinuteCheckWait);
    expect(outcomes(NominationStates.MinuteCheckOutcome)).toEqual({
      returned: NominationStates.PlanDecisionWait,
    });
    expect(next(NominationStates.MinuteCheckOutcome)).toBe(NominationStates.SendExcerpts);
    expect(states[NominationStates.MinuteCheckDeadlinePassed]).toMatchObject({
      Choices: [
        { Variable: '$.wait.expired', BooleanEquals: true, Next: NominationStates.RecordNoAnswer },
        { Variable: '$.wait.skip', BooleanEquals: true, Next: NominationStates.SendExcerpts },
      ],
      Default: NominationStates.RequestMinuteCheck,
    });
    expect(states[NominationStates.PlanMinuteCheckWait]?.ResultSelector).toEqual({
      'expired.$': '$.Payload.expired',
      'timeoutSeconds.$': '$.Payload.timeoutSeconds',
      'skip.$': '$.Payload.skip',
    });
  });

  it('runs every municipality at once in a Distributed Map of synchronous child executions', () => {
    const states = allStates(round);
    const map = states[RoundStates.RunNominations] as State;
    expect(map.MaxConcurrency).toBe(MAX_CONCURRENT_NOMINATIONS);
    expect(map.ItemProcessor).toMatchObject({
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
    });
    const start = states[RoundStates.StartNomination] as State;
    expect(start.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
    expect((start.Parameters as Record<string, unknown>)['Name.$']).toBe('$.executionName');
    expect(states[RoundStates.WaitForStartDate]).toMatchObject({
      Type: 'Wait',
      TimestampPath: STARTS_AT_PATH,
    });
    expect(states[RoundStates.ActivateGroup]?.Resource).toBe('arn:aws:states:::lambda:invoke');
  });
});
