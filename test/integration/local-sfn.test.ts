/**
 * The embedded Step Functions service, driven through @aws-sdk/client-sfn over HTTP
 * with small hand-written ASL definitions: these tests are about the emulator itself.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '../../local/sfn/engine.ts';
import { createLongTimers } from '../../local/sfn/long-timers.ts';
import { type StepFunctionsServer, startStepFunctionsServer } from '../../local/sfn/server.ts';

const REGION = 'eu-north-1';
const ACCOUNT = '000000000000';
const LAMBDA_ARN = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

// --- fake Lambda functions -------------------------------------------------------------

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const capturedTokens = new Map<string, string>();
const flakyCalls = new Map<string, number>();
/** Calls per function and payload id, to tell a replay from a second run. */
const calls = new Map<string, number>();
const countCall = (fn: string, payload: Record<string, unknown>) =>
  calls.set(
    `${fn}:${String(payload.id ?? payload.index)}`,
    (calls.get(`${fn}:${String(payload.id ?? payload.index)}`) ?? 0) + 1,
  );
const callsOf = (fn: string, id: string) => calls.get(`${fn}:${id}`) ?? 0;
const gate = { inFlight: 0, maxInFlight: 0, release: () => {}, opened: Promise.resolve() };

function closeGate(): void {
  gate.inFlight = 0;
  gate.maxInFlight = 0;
  gate.opened = new Promise<void>((resolve) => {
    gate.release = resolve;
  });
}

const fakeLambdas: Record<string, (payload: Record<string, unknown>) => Promise<unknown>> = {
  echo: async (payload) => ({ echoed: payload }),
  seatLimit: async () => {
    throw namedError('SeatLimitError', 'No seats left');
  },
  // Fails with FlakyError on the first call per key, then succeeds.
  flaky: async (payload) => {
    const key = String(payload.key);
    const calls = (flakyCalls.get(key) ?? 0) + 1;
    flakyCalls.set(key, calls);
    if (calls === 1) throw namedError('FlakyError', 'try again');
    return { calls };
  },
  captureToken: async (payload) => {
    countCall('captureToken', payload);
    capturedTokens.set(String(payload.id), String(payload.taskToken));
    return { accepted: true };
  },
  counted: async (payload) => {
    countCall('counted', payload);
    return { counted: payload.id };
  },
  gated: async (payload) => {
    countCall('gated', payload);
    gate.inFlight++;
    gate.maxInFlight = Math.max(gate.maxInFlight, gate.inFlight);
    await gate.opened;
    gate.inFlight--;
    return { done: payload.index };
  },
};

async function invokeLambda(functionArnOrName: string, payload: unknown): Promise<unknown> {
  const name = functionArnOrName.split(':').at(-1) ?? functionArnOrName;
  const fn = fakeLambdas[name];
  if (!fn) throw namedError('Lambda.ResourceNotFoundException', `Function not found: ${functionArnOrName}`);
  return fn(payload as Record<string, unknown>);
}

// --- definitions ----------------------------------------------------------------------------

const echoDefinition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Parameters: { 'who.$': '$.who' }, ResultPath: '$.prepared', Next: 'Greet' },
    Greet: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: LAMBDA_ARN('echo'), 'Payload.$': '$.prepared' },
      ResultSelector: { 'greeting.$': '$.Payload.echoed', 'status.$': '$.StatusCode' },
      ResultPath: '$.greet',
      Next: 'DirectCall',
    },
    DirectCall: { Type: 'Task', Resource: LAMBDA_ARN('echo'), ResultPath: '$.direct', Next: 'Flag' },
    Flag: { Type: 'Pass', Result: false, ResultPath: '$.flag', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

const callbackDefinition = {
  StartAt: 'AskForAnswer',
  States: {
    AskForAnswer: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: LAMBDA_ARN('captureToken'),
        Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' },
      },
      TimeoutSecondsPath: '$.timeout',
      ResultPath: '$.answer',
      Catch: [
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.failure', Next: 'NoAnswer' },
        { ErrorEquals: ['SeatLimitError'], ResultPath: '$.failure', Next: 'Rejected' },
      ],
      Next: 'Answered',
    },
    Answered: { Type: 'Succeed' },
    NoAnswer: { Type: 'Pass', End: true },
    Rejected: { Type: 'Pass', End: true },
  },
};

const waitDefinition = {
  StartAt: 'WaitUntil',
  States: {
    WaitUntil: { Type: 'Wait', TimestampPath: '$.until', Next: 'Woke' },
    Woke: { Type: 'Pass', Result: 'woke', ResultPath: '$.result', End: true },
  },
};

const retryDefinition = {
  StartAt: 'CallFlaky',
  States: {
    CallFlaky: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'flaky', 'Payload.$': '$' },
      OutputPath: '$.Payload',
      Retry: [{ ErrorEquals: ['FlakyError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 }],
      Next: 'Refuse',
    },
    Refuse: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'seatLimit', Payload: {} },
      Catch: [{ ErrorEquals: ['SeatLimitError'], ResultPath: '$.error', Next: 'Refused' }],
      End: true,
    },
    Refused: { Type: 'Pass', End: true },
  },
};

const childDefinition = {
  StartAt: 'ShouldFail',
  States: {
    ShouldFail: {
      Type: 'Choice',
      Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'ChildFailed' }],
      Default: 'ChildWorked',
    },
    ChildFailed: { Type: 'Fail', Error: 'ChildError', Cause: 'asked to fail' },
    ChildWorked: { Type: 'Pass', Parameters: { 'worked.$': '$.fail' }, End: true },
  },
};

function parentDefinition(childArn: string) {
  return {
    StartAt: 'RunChild',
    States: {
      RunChild: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
        Parameters: {
          StateMachineArn: childArn,
          'Name.$': '$.childName',
          Input: { 'fail.$': '$.fail', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
        },
        ResultSelector: { 'output.$': '$.Output', 'status.$': '$.Status' },
        ResultPath: '$.child',
        Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.failure', Next: 'ChildDidNotFinish' }],
        Next: 'StartAnother',
      },
      StartAnother: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution',
        Parameters: {
          StateMachineArn: childArn,
          'Name.$': "States.Format('{}-again', $.childName)",
          Input: { fail: false },
        },
        ResultPath: '$.another',
        End: true,
      },
      ChildDidNotFinish: { Type: 'Pass', End: true },
    },
  };
}

function parentOfCallbackDefinition(callbackArn: string) {
  return {
    StartAt: 'RunCallback',
    States: {
      RunCallback: {
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution.sync',
        Parameters: {
          StateMachineArn: callbackArn,
          'Name.$': '$.childName',
          Input: { 'id.$': '$.childName', timeout: 60 },
        },
        ResultSelector: { 'output.$': '$.Output' },
        End: true,
      },
    },
  };
}

const heartbeatDefinition = {
  StartAt: 'Beat',
  States: {
    Beat: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'captureToken',
        Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' },
      },
      HeartbeatSeconds: 1,
      End: true,
    },
  },
};

const distributedMapDefinition = {
  StartAt: 'RunAll',
  States: {
    RunAll: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 1000,
      Label: 'RunAll',
      ItemSelector: { 'index.$': '$$.Map.Item.Index' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'Work',
        States: {
          Work: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'gated', 'Payload.$': '$' },
            OutputPath: '$.Payload',
            End: true,
          },
        },
      },
      End: true,
    },
  },
};

// --- harness ---------------------------------------------------------------------------------

let service: LocalStepFunctions;
let server: StepFunctionsServer;
let sfn: SFNClient;
const arns = {
  echo: '',
  callback: '',
  wait: '',
  retry: '',
  child: '',
  parent: '',
  parentOfCallback: '',
  heartbeat: '',
  map: '',
};
const changes: string[] = [];

function client(url: string): SFNClient {
  return new SFNClient({
    endpoint: url,
    region: REGION,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
}

async function create(name: string, definition: object): Promise<string> {
  const out = await sfn.send(
    new CreateStateMachineCommand({
      name,
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::000000000000:role/sfn',
    }),
  );
  return out.stateMachineArn ?? '';
}

async function start(stateMachineArn: string, input: unknown, name?: string): Promise<string> {
  const out = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }),
  );
  return out.executionArn ?? '';
}

async function describeExecution(executionArn: string) {
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  service = new LocalStepFunctions({
    invokeLambda,
    region: REGION,
    accountId: ACCOUNT,
    onExecutionChange: (description) => changes.push(`${description.name}:${description.status}`),
  });
  server = await startStepFunctionsServer({ service, port: 0 });
  sfn = client(server.url);
  arns.echo = await create('Echo', echoDefinition);
  arns.callback = await create('Callback', callbackDefinition);
  arns.wait = await create('Wait', waitDefinition);
  arns.retry = await create('Retry', retryDefinition);
  arns.child = await create('Child', childDefinition);
  arns.parent = await create('Parent', parentDefinition(arns.child));
  arns.parentOfCallback = await create('ParentOfCallback', parentOfCallbackDefinition(arns.callback));
  arns.heartbeat = await create('Heartbeat', heartbeatDefinition);
  arns.map = await create('DistributedMap', distributedMapDefinition);
});

afterAll(async () => {
  sfn?.destroy();
  service?.close();
  await server?.close();
});

// --- tests ------------------------------------------------------------------------------------

describe('state machines', () => {
  it('creates, describes and lists state machines; a repeat with the same definition is idempotent', async () => {
    expect(arns.echo).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Echo`);
    const again = await sfn.send(
      new CreateStateMachineCommand({
        name: 'Echo',
        definition: JSON.stringify(echoDefinition),
        roleArn: 'arn:aws:iam::000000000000:role/other',
      }),
    );
    expect(again.stateMachineArn).toBe(arns.echo);

    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arns.echo }));
    expect(described).toMatchObject({
      name: 'Echo',
      status: 'ACTIVE',
      type: 'STANDARD',
      roleArn: 'arn:aws:iam::000000000000:role/sfn',
    });
    expect(JSON.parse(described.definition ?? '')).toEqual(echoDefinition);
    expect(described.creationDate).toBeInstanceOf(Date);

    const first = await sfn.send(new ListStateMachinesCommand({ maxResults: 2 }));
    expect(first.stateMachines?.map((sm) => sm.name)).toEqual(['Echo', 'Callback']);
    const rest = await sfn.send(new ListStateMachinesCommand({ nextToken: first.nextToken }));
    expect(rest.stateMachines?.map((sm) => sm.name)).toEqual([
      'Wait',
      'Retry',
      'Child',
      'Parent',
      'ParentOfCallback',
      'Heartbeat',
      'DistributedMap',
    ]);
    expect(rest.nextToken).toBeUndefined();
  });

  it('rejects a different definition under an existing name, and invalid definitions', async () => {
    const changed = { ...echoDefinition, Comment: 'changed' };
    const exists = await rejection(
      sfn.send(
        new CreateStateMachineCommand({
          name: 'Echo',
          definition: JSON.stringify(changed),
          roleArn: 'arn:aws:iam::000000000000:role/sfn',
        }),
      ),
    );
    expect(exists.name).toBe('StateMachineAlreadyExists');

    const invalid = async (definition: string) =>
      (
        await rejection(
          sfn.send(
            new CreateStateMachineCommand({
              name: 'Bad',
              definition,
              roleArn: 'arn:aws:iam::000000000000:role/sfn',
            }),
          ),
        )
      ).name;
    expect(await invalid('{ not json')).toBe('InvalidDefinition');
    expect(
      await invalid(JSON.stringify({ StartAt: 'Nowhere', States: { A: { Type: 'Pass', End: true } } })),
    ).toBe('InvalidDefinition');
    const duplicate = {
      StartAt: 'Loop',
      States: {
        Loop: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Loop', States: { Loop: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    };
    expect(await invalid(JSON.stringify(duplicate))).toBe('InvalidDefinition');
    const jsonata = {
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: { A: { Type: 'Pass', Output: '{% 1 %}', End: true } },
    };
    expect(await invalid(JSON.stringify(jsonata))).toBe('InvalidDefinition');
    expect(
      (
        await rejection(
          sfn.send(
            new CreateStateMachineCommand({
              name: 'bad name',
              definition: JSON.stringify(echoDefinition),
              roleArn: 'arn:aws:iam::000000000000:role/sfn',
            }),
          ),
        )
      ).name,
    ).toBe('InvalidName');
  });
});

describe('executions', () => {
  it('runs Lambda tasks in both integration shapes and describes the execution', async () => {
    const executionArn = await start(arns.echo, { who: 'Helsinki' }, 'echo-1');
    expect(executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:Echo:echo-1`);
    await service.waitForExecution(executionArn);
    const described = await describeExecution(executionArn);
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'echo-1', stateMachineArn: arns.echo });
    expect(described.startDate).toBeInstanceOf(Date);
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(changes).toEqual(expect.arrayContaining(['echo-1:RUNNING', 'echo-1:SUCCEEDED']));
    expect(JSON.parse(described.input ?? '')).toEqual({ who: 'Helsinki' });
    expect(JSON.parse(described.output ?? '')).toEqual({
      who: 'Helsinki',
      prepared: { who: 'Helsinki' },
      greet: { greeting: { who: 'Helsinki' }, status: 200 },
      direct: {
        echoed: {
          who: 'Helsinki',
          prepared: { who: 'Helsinki' },
          greet: { greeting: { who: 'Helsinki' }, status: 200 },
        },
      },
      flag: false,
    });
  });

  it('records an AWS-shaped history', async () => {
    const executionArn = await start(arns.echo, { who: 'Espoo' });
    await service.waitForExecution(executionArn);
    const events = await history(executionArn);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    events.forEach((event, i) => {
      expect(event.id).toBe(i + 1);
      expect(event.previousEventId).toBe(i);
      expect(event.timestamp).toBeInstanceOf(Date);
    });
    expect(JSON.parse(events[0]?.executionStartedEventDetails?.input ?? '')).toEqual({ who: 'Espoo' });
    expect(events[3]?.stateEnteredEventDetails?.name).toBe('Greet');
    const scheduled = events[4]?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: REGION });
    expect(JSON.parse(scheduled?.parameters ?? '')).toEqual({
      FunctionName: LAMBDA_ARN('echo'),
      Payload: { who: 'Espoo' },
    });
    expect(JSON.parse(events[6]?.taskSucceededEventDetails?.output ?? '')).toMatchObject({
      StatusCode: 200,
      Payload: { echoed: { who: 'Espoo' } },
    });
    expect(JSON.parse(events.at(-1)?.executionSucceededEventDetails?.output ?? '').flag).toBe(false);

    const newestFirst = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 5,
        includeExecutionData: false,
      }),
    );
    expect(newestFirst.events?.map((e) => e.id)).toEqual([18, 17, 16, 15, 14]);
    expect(newestFirst.events?.[0]?.executionSucceededEventDetails?.output).toBeUndefined();
    const older = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults: 5,
        nextToken: newestFirst.nextToken,
      }),
    );
    expect(older.events?.map((e) => e.id)).toEqual([13, 12, 11, 10, 9]);
  });

  it('treats a repeated StartExecution with the same name and input as idempotent while running', async () => {
    const input = { id: 'idem', timeout: 60 };
    const first = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: arns.callback,
        name: 'idem',
        input: JSON.stringify(input),
      }),
    );
    const second = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: arns.callback,
        name: 'idem',
        input: JSON.stringify(input),
      }),
    );
    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate).toEqual(first.startDate);
    const different = await rejection(
      sfn.send(
        new StartExecutionCommand({ stateMachineArn: arns.callback, name: 'idem', input: '{"id":"other"}' }),
      ),
    );
    expect(different.name).toBe('ExecutionAlreadyExists');

    await sfn.send(
      new StopExecutionCommand({ executionArn: first.executionArn, error: 'Test', cause: 'done' }),
    );
    // Once it has ended, even the identical request is refused.
    const afterEnd = await rejection(
      sfn.send(
        new StartExecutionCommand({
          stateMachineArn: arns.callback,
          name: 'idem',
          input: JSON.stringify(input),
        }),
      ),
    );
    expect(afterEnd.name).toBe('ExecutionAlreadyExists');
  });

  it('stops an execution: ABORTED with error and cause, and an ExecutionAborted event', async () => {
    const executionArn = await start(arns.callback, { id: 'stop-me', timeout: 60 });
    const token = await until(() => capturedTokens.get('stop-me'));
    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'Stopped by a test' }),
    );
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const described = await describeExecution(executionArn);
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'Stopped by a test' });
    const last = (await history(executionArn)).at(-1);
    expect(last?.type).toBe('ExecutionAborted');
    expect(last?.executionAbortedEventDetails).toMatchObject({
      error: 'Operator',
      cause: 'Stopped by a test',
    });
    // The task's token died with the execution.
    const late = await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));
    expect(late.name).toBe('TaskTimedOut');
  });

  it('lists executions newest first, filtered by status and paged', async () => {
    const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arns.echo }));
    expect(all.executions?.length).toBe(2);
    expect(all.executions?.[1]?.name).toBe('echo-1');
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arns.echo, maxResults: 1, statusFilter: 'SUCCEEDED' }),
    );
    expect(page.executions?.length).toBe(1);
    const next = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: arns.echo,
        maxResults: 1,
        statusFilter: 'SUCCEEDED',
        nextToken: page.nextToken,
      }),
    );
    expect(next.executions?.[0]?.name).toBe('echo-1');
    expect(next.nextToken).toBeUndefined();
    const aborted = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: arns.callback, statusFilter: 'ABORTED' }),
    );
    expect(aborted.executions?.map((e) => e.status)).toEqual(['ABORTED', 'ABORTED']);
  });

  it('retries a Lambda error by name and catches another by name', async () => {
    const executionArn = await start(arns.retry, { key: 'retry-1' });
    const described = await service.waitForExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(flakyCalls.get('retry-1')).toBe(2);
    const output = JSON.parse(described.output ?? '');
    expect(output.calls).toBe(2);
    expect(output.error.Error).toBe('SeatLimitError');
    expect(JSON.parse(output.error.Cause)).toMatchObject({
      errorType: 'SeatLimitError',
      errorMessage: 'No seats left',
    });
    const types = (await history(executionArn)).map((e) => e.type);
    expect(types.filter((t) => t === 'TaskFailed')).toHaveLength(2);
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(3);
  });
});

describe('callback tasks (.waitForTaskToken)', () => {
  it('resumes on SendTaskSuccess; the token is then spent', async () => {
    const executionArn = await start(arns.callback, { id: 'ok', timeout: 60 });
    const token = await until(() => capturedTokens.get('ok'));
    expect(token.length).toBeGreaterThanOrEqual(43);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ answer: 'yes' }) }),
    );
    const described = await service.waitForExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '').answer).toEqual({ answer: 'yes' });

    const again = await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));
    expect(again.name).toBe('TaskTimedOut');
    const forged = await rejection(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
    );
    expect(forged.name).toBe('InvalidToken');
    const types = (await history(executionArn)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']),
    );
  });

  it('fails with the error of SendTaskFailure, caught by name', async () => {
    const executionArn = await start(arns.callback, { id: 'no', timeout: 60 });
    const token = await until(() => capturedTokens.get('no'));
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'SeatLimitError', cause: 'full' }));
    const described = await service.waitForExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '').failure).toEqual({ Error: 'SeatLimitError', Cause: 'full' });
    const events = await history(executionArn);
    expect(events.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
      error: 'SeatLimitError',
      cause: 'full',
    });
  });

  it('times out after TimeoutSeconds with States.Timeout, and the token stops working', async () => {
    const executionArn = await start(arns.callback, { id: 'late', timeout: 1 });
    const token = await until(() => capturedTokens.get('late'));
    const described = await service.waitForExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '').failure.Error).toBe('States.Timeout');
    expect((await history(executionArn)).map((e) => e.type)).toContain('TaskTimedOut');
    const late = await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));
    expect(late.name).toBe('TaskTimedOut');
  });
});

describe('nested executions (states:startExecution)', () => {
  it('.sync:2 returns the child description with parsed Output; plain start returns at once', async () => {
    const executionArn = await start(arns.parent, { fail: false, childName: 'child-ok' });
    const described = await service.waitForExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output ?? '');
    expect(output.child).toEqual({ output: { worked: false }, status: 'SUCCEEDED' });
    expect(output.another.ExecutionArn).toBe(
      `arn:aws:states:${REGION}:${ACCOUNT}:execution:Child:child-ok-again`,
    );
    expect(typeof output.another.StartDate).toBe('number');
    const child = await describeExecution(`arn:aws:states:${REGION}:${ACCOUNT}:execution:Child:child-ok`);
    expect(JSON.parse(child.input ?? '').AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID).toBe(executionArn);
  });

  it('.sync:2 fails with States.TaskFailed when the child fails', async () => {
    const executionArn = await start(arns.parent, { fail: true, childName: 'child-fails' });
    const described = await service.waitForExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    const failure = JSON.parse(described.output ?? '').failure;
    expect(failure.Error).toBe('States.TaskFailed');
    expect(JSON.parse(failure.Cause)).toMatchObject({
      Status: 'FAILED',
      Error: 'ChildError',
      Cause: 'asked to fail',
    });
    const child = await describeExecution(`arn:aws:states:${REGION}:${ACCOUNT}:execution:Child:child-fails`);
    expect(child).toMatchObject({ status: 'FAILED', error: 'ChildError', cause: 'asked to fail' });
  });
});

describe('nested executions and callbacks together', () => {
  it('.sync returns Output as a JSON string', async () => {
    const executionArn = await start(arns.parentOfCallback, { childName: 'nested-ok' });
    const token = await until(() => capturedTokens.get('nested-ok'));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"fine":true}' }));
    const described = await service.waitForExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(JSON.parse(described.output ?? '').output);
    expect(output).toMatchObject({ id: 'nested-ok', answer: { fine: true } });
  });

  it('stopping the parent stops the child it waits for', async () => {
    const executionArn = await start(arns.parentOfCallback, { childName: 'nested-stop' });
    await until(() => capturedTokens.get('nested-stop'));
    await sfn.send(new StopExecutionCommand({ executionArn }));
    const childArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:Callback:nested-stop`;
    const child = await until(async () => {
      const described = await describeExecution(childArn);
      return described.status === 'RUNNING' ? undefined : described;
    });
    expect(child.status).toBe('ABORTED');
  });

  it('fails with States.HeartbeatTimeout when heartbeats stop', async () => {
    const executionArn = await start(arns.heartbeat, { id: 'beat' });
    const token = await until(() => capturedTokens.get('beat'));
    await sleep(600);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sleep(600);
    expect((await describeExecution(executionArn)).status).toBe('RUNNING');
    const described = await service.waitForExecution(executionArn);
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    const late = await rejection(sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })));
    expect(late.name).toBe('TaskTimedOut');
  });
});

describe('long timers', () => {
  it('chains timers longer than the 32-bit limit, and cancels them mid-chain', async () => {
    const timers = createLongTimers({ setTimeout, clearTimeout }, 20);
    const fired: number[] = [];
    const startedAt = performance.now();
    timers.setTimeout(() => fired.push(performance.now() - startedAt), 70);
    const cancelled = timers.setTimeout(() => fired.push(-1), 70);
    await sleep(30);
    timers.clearTimeout(cancelled);
    await sleep(80);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(69);

    // The service patched the globals: a 25-day timer does not fire at once.
    let early = false;
    const long = setTimeout(() => {
      early = true;
    }, 25 * 86_400_000);
    await sleep(50);
    clearTimeout(long);
    expect(early).toBe(false);
  });

  it('a 40-day task timeout does not fire early', async () => {
    const executionArn = await start(arns.callback, { id: 'forty-days', timeout: 40 * 86_400 });
    await until(() => capturedTokens.get('forty-days'));
    await sleep(200);
    expect((await describeExecution(executionArn)).status).toBe('RUNNING');
    await sfn.send(new StopExecutionCommand({ executionArn }));
  });

  it('a Wait until 100 days ahead does not end early; a local wait override skips it', async () => {
    const until100 = new Date(Date.now() + 100 * 86_400_000).toISOString();
    const executionArn = await start(arns.wait, { until: until100 });
    await sleep(200);
    expect((await describeExecution(executionArn)).status).toBe('RUNNING');
    await sfn.send(new StopExecutionCommand({ executionArn }));

    const overriding = client(server.url);
    overriding.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['x-nimitys-wait-overrides'] = JSON.stringify({ WaitUntil: 0 });
        return next(args);
      },
      { step: 'build', name: 'waitOverrides' },
    );
    const out = await overriding.send(
      new StartExecutionCommand({ stateMachineArn: arns.wait, input: JSON.stringify({ until: until100 }) }),
    );
    overriding.destroy();
    const described = await service.waitForExecution(out.executionArn ?? '');
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '').result).toBe('woke');
  });
});

describe('distributed map', () => {
  it('honours MaxConcurrency above the engine default of 40', async () => {
    closeGate();
    const items = Array.from({ length: 120 }, (_, i) => i);
    const executionArn = await start(arns.map, { items });
    await until(() => (gate.inFlight === items.length ? true : undefined));
    expect(gate.maxInFlight).toBe(120);
    gate.release();
    const described = await service.waitForExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '')).toEqual(items.map((i) => ({ done: i })));
    const events = await history(executionArn);
    expect(events.find((e) => e.type === 'MapStateStarted')?.mapStateStartedEventDetails?.length).toBe(120);
    expect(events.filter((e) => e.type === 'MapIterationSucceeded')).toHaveLength(120);
    expect(events.filter((e) => e.type === 'TaskSucceeded')).toHaveLength(120);
  });
});

describe('errors', () => {
  it('answers unknown ARNs, bad names, bad input and bad tokens with the AWS error names', async () => {
    const name = async (promise: Promise<unknown>) => (await rejection(promise)).name;
    const missingMachine = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Missing`;
    expect(await name(sfn.send(new StartExecutionCommand({ stateMachineArn: missingMachine })))).toBe(
      'StateMachineDoesNotExist',
    );
    expect(await name(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'nonsense' })))).toBe(
      'InvalidArn',
    );
    expect(await name(describeExecution(`arn:aws:states:${REGION}:${ACCOUNT}:execution:Echo:missing`))).toBe(
      'ExecutionDoesNotExist',
    );
    expect(await name(sfn.send(new StartExecutionCommand({ stateMachineArn: arns.echo, name: 'a/b' })))).toBe(
      'InvalidName',
    );
    expect(
      await name(sfn.send(new StartExecutionCommand({ stateMachineArn: arns.echo, input: '{oops' }))),
    ).toBe('InvalidExecutionInput');
    expect(await name(sfn.send(new SendTaskFailureCommand({ taskToken: 'x'.repeat(43) })))).toBe(
      'InvalidToken',
    );
    expect(
      await name(sfn.send(new ListExecutionsCommand({ stateMachineArn: arns.echo, nextToken: 'garbage' }))),
    ).toBe('InvalidToken');
  });

  it('answers malformed requests with protocol errors and keeps serving', async () => {
    const post = (target: string, body: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target },
        body,
      });
    const malformed = await post('AWSStepFunctions.ListStateMachines', '{not json');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
    const unknown = await post('AWSStepFunctions.FlyToTheMoon', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    const wrongType = await post('AWSStepFunctions.DescribeExecution', '{"executionArn": 42}');
    expect(await wrongType.json()).toMatchObject({ __type: 'SerializationException' });
    const tooLarge = await post('AWSStepFunctions.ListStateMachines', 'x'.repeat(3 * 1024 * 1024)).catch(
      () => undefined,
    );
    if (tooLarge) expect(tooLarge.status).toBe(413);
    const ok = await post('AWSStepFunctions.ListStateMachines', '');
    expect(ok.status).toBe(200);
    const listed = (await ok.json()) as { stateMachines: { creationDate: unknown }[] };
    expect(typeof listed.stateMachines[0]?.creationDate).toBe('number');
  });
});

const awsCli = spawnSync('aws', ['--version'], { encoding: 'utf8' });

describe('AWS CLI', () => {
  it.skipIf(awsCli.error !== undefined || awsCli.status !== 0)(
    'lists state machines through --endpoint-url',
    async () => {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          'aws',
          [
            'stepfunctions',
            'list-state-machines',
            '--endpoint-url',
            server.url,
            '--region',
            REGION,
            '--output',
            'json',
          ],
          {
            env: {
              ...process.env,
              AWS_ACCESS_KEY_ID: 'x',
              AWS_SECRET_ACCESS_KEY: 'x',
              AWS_PAGER: '',
              AWS_EC2_METADATA_DISABLED: 'true',
            },
            timeout: 15_000,
          },
          (error, out, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(out)),
        );
      });
      const parsed = JSON.parse(stdout) as { stateMachines: { name: string }[] };
      expect(parsed.stateMachines.map((sm) => sm.name)).toContain('Echo');
    },
  );
});

// --- restarts -----------------------------------------------------------------------------

/** Prepare (a function that counts its calls), then wait for an answer until `$.timeout`. */
const askDefinition = {
  StartAt: 'Prepare',
  States: {
    Prepare: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'counted', Payload: { 'id.$': '$.id' } },
      ResultPath: null,
      Next: 'AskForAnswer',
    },
    AskForAnswer: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: LAMBDA_ARN('captureToken'),
        Payload: { 'id.$': '$.id', 'taskToken.$': '$$.Task.Token' },
      },
      TimeoutSecondsPath: '$.timeout',
      ResultPath: '$.answer',
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.failure', Next: 'NoAnswer' }],
      Next: 'Answered',
    },
    Answered: { Type: 'Succeed' },
    NoAnswer: { Type: 'Pass', End: true },
  },
};

const pauseDefinition = {
  StartAt: 'Pause',
  States: {
    Pause: { Type: 'Wait', Seconds: 4, Next: 'AfterPause' },
    AfterPause: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'counted', Payload: { 'id.$': '$.id' } },
      End: true,
    },
  },
};

const slowDefinition = {
  StartAt: 'Slow',
  States: {
    Slow: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'gated', Payload: { 'index.$': '$.id' } },
      ResultPath: '$.slow',
      Next: 'Then',
    },
    Then: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'counted', Payload: { 'id.$': '$.id' } },
      End: true,
    },
  },
};

describe('restarts with a journal on disk', () => {
  let dir: string;
  let port = 0;
  let running: { service: LocalStepFunctions; server: StepFunctionsServer; sfn: SFNClient } | undefined;
  const machineArns = { ask: '', pause: '', slow: '', parent: '' };

  /**
   * A new service on the same journal and port, as after a restart of the process;
   * `beforeRestore` runs once the state machines exist, right before the journal is read.
   */
  async function boot(beforeRestore?: () => Promise<unknown>) {
    await kill();
    const restarted = new LocalStepFunctions({
      invokeLambda,
      region: REGION,
      accountId: ACCOUNT,
      journalFile: path.join(dir, 'executions.jsonl'),
    });
    machineArns.ask = (
      await restarted.createStateMachine({ name: 'Ask', definition: askDefinition })
    ).stateMachineArn;
    machineArns.pause = (
      await restarted.createStateMachine({ name: 'Pause', definition: pauseDefinition })
    ).stateMachineArn;
    machineArns.slow = (
      await restarted.createStateMachine({ name: 'Slow', definition: slowDefinition })
    ).stateMachineArn;
    machineArns.parent = (
      await restarted.createStateMachine({
        name: 'AskParent',
        definition: parentOfCallbackDefinition(machineArns.ask),
      })
    ).stateMachineArn;
    const restartedServer = await startStepFunctionsServer({ service: restarted, port });
    port = restartedServer.port;
    await beforeRestore?.();
    const summary = await restarted.restore();
    running = { service: restarted, server: restartedServer, sfn: client(restartedServer.url) };
    return { ...running, summary };
  }

  /** What a kill leaves behind: the journal as written, nothing after (close() writes nothing). */
  async function kill() {
    if (!running) return;
    running.sfn.destroy();
    running.service.close();
    await running.server.close(0);
    running = undefined;
  }

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nimitys-sfn-journal-'));
  });

  afterAll(async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const historyOf = async (c: SFNClient, executionArn: string) =>
    (await c.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];

  it('brings a waiting callback task back with its history and token, running nothing twice', async () => {
    const first = await boot();
    const { executionArn } = await first.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArns.ask,
        name: 'waits-for-answer',
        input: JSON.stringify({ id: 'restart-1', timeout: 600 }),
      }),
    );
    const token = await until(() => capturedTokens.get('restart-1'));
    const before = await until(async () => {
      const events = await historyOf(first.sfn, executionArn ?? '');
      return events.some((e) => e.type === 'TaskSubmitted') ? events : undefined;
    });
    await kill();

    const second = await boot();
    expect(second.summary).toMatchObject({ executions: 1, running: 1 });
    const described = await second.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('RUNNING');
    expect(await historyOf(second.sfn, executionArn ?? '')).toEqual(before);
    expect(callsOf('counted', 'restart-1')).toBe(1);
    expect(callsOf('captureToken', 'restart-1')).toBe(1);

    await second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"answer":42}' }));
    const done = await until(async () => {
      const out = await second.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' ? undefined : out;
    });
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}').answer).toEqual({ answer: 42 });
    const after = await historyOf(second.sfn, executionArn ?? '');
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((e) => e.id)).toEqual(after.map((_, i) => i + 1));
    expect(after.slice(before.length).map((e) => e.type)).toEqual([
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(callsOf('counted', 'restart-1')).toBe(1);
    expect(callsOf('captureToken', 'restart-1')).toBe(1);
    await kill();

    // Finished executions come back as they ended, with their history.
    const third = await boot();
    expect(third.summary).toMatchObject({ running: 0 });
    expect((await third.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
    expect(await historyOf(third.sfn, executionArn ?? '')).toEqual(after);
    const journal = readFileSync(path.join(dir, 'executions.jsonl'), 'utf8');
    expect(journal).not.toContain('"t":"result"');
    await kill();
  });

  it('keeps the due time of a waiting task: it times out when it would have without the restart', async () => {
    const first = await boot();
    const { executionArn, startDate } = await first.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArns.ask,
        input: JSON.stringify({ id: 'restart-2', timeout: 6 }),
      }),
    );
    const started = startDate?.getTime() ?? 0;
    const token = await until(() => capturedTokens.get('restart-2'));
    await kill();

    let restoredAt = 0;
    const second = await boot(async () => {
      await sleep(3_000 - (Date.now() - started));
      restoredAt = Date.now() - started;
    });
    const done = await until(async () => {
      const out = await second.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' ? undefined : out;
    }, 15_000);
    const took = (done.stopDate?.getTime() ?? 0) - started;
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}').failure).toMatchObject({ Error: 'States.Timeout' });
    // 6 s from the start (the engine counts whole seconds: up to 1 s late), not 6 s from the restart.
    expect(restoredAt).toBeLessThan(5_000);
    expect(took).toBeGreaterThanOrEqual(5_900);
    expect(took).toBeLessThan(7_500);
    expect(took).toBeLessThan(restoredAt + 6_000);
    const events = await historyOf(second.sfn, executionArn ?? '');
    expect(events.map((e) => e.type).filter((t) => t?.startsWith('Task') && t !== 'TaskStateExited')).toEqual(
      [
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskSucceeded',
        'TaskStateEntered',
        'TaskScheduled',
        'TaskStarted',
        'TaskSubmitted',
        'TaskTimedOut',
      ],
    );
    const late = await rejection(
      second.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    );
    expect(late.name).toBe('TaskTimedOut');
    await kill();
  });

  it('times a waiting task out at once when it came due while the service was down', async () => {
    const first = await boot();
    const { executionArn } = await first.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArns.ask,
        input: JSON.stringify({ id: 'restart-5', timeout: 1 }),
      }),
    );
    await until(() => capturedTokens.get('restart-5'));
    await kill();

    const second = await boot(() => sleep(1_500));
    const restoredAt = Date.now();
    const done = await until(async () => {
      const out = await second.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' ? undefined : out;
    });
    expect(done.status).toBe('SUCCEEDED');
    expect((done.stopDate?.getTime() ?? 0) - restoredAt).toBeLessThan(500);
    const types = (await historyOf(second.sfn, executionArn ?? '')).map((e) => e.type);
    expect(types.filter((t) => t === 'TaskSubmitted')).toHaveLength(1);
    expect(types.slice(-6)).toEqual([
      'TaskTimedOut',
      'TaskStateExited',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(callsOf('captureToken', 'restart-5')).toBe(1);
  });

  it('keeps the due time of a Wait', async () => {
    const first = await boot();
    const { executionArn, startDate } = await first.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArns.pause, input: '{"id":"restart-3"}' }),
    );
    await sleep(300);
    await kill();

    const second = await boot(() => sleep(2_000 - (Date.now() - (startDate?.getTime() ?? 0))));
    const done = await until(async () => {
      const out = await second.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' ? undefined : out;
    }, 10_000);
    expect(done.status).toBe('SUCCEEDED');
    const events = await historyOf(second.sfn, executionArn ?? '');
    const entered = events.find((e) => e.type === 'WaitStateEntered')?.timestamp?.getTime() ?? 0;
    const exited = events.find((e) => e.type === 'WaitStateExited')?.timestamp?.getTime() ?? 0;
    expect(exited - entered).toBeGreaterThanOrEqual(3_950);
    expect(exited - entered).toBeLessThan(4_600);
    expect(callsOf('counted', 'restart-3')).toBe(1);
    await kill();
  });

  it('a parent awaiting a .sync child goes back to that child, and no second one starts', async () => {
    const first = await boot();
    const { executionArn } = await first.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machineArns.parent,
        input: '{"childName":"restart-kid"}',
      }),
    );
    const token = await until(() => capturedTokens.get('restart-kid'));
    await kill();

    const second = await boot();
    await second.sfn.send(
      new SendTaskSuccessCommand({ taskToken: token, output: '"from the restarted side"' }),
    );
    const done = await until(async () => {
      const out = await second.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' ? undefined : out;
    });
    expect(done.status).toBe('SUCCEEDED');
    const children = await second.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArns.ask }));
    expect(children.executions?.filter((e) => e.name === 'restart-kid')).toHaveLength(1);
    expect(callsOf('captureToken', 'restart-kid')).toBe(1);
    await kill();
  });

  it('drain() lets a running task function finish and parks the next task for the restart', async () => {
    closeGate();
    const first = await boot();
    const { executionArn } = await first.sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArns.slow, input: '{"id":"restart-4"}' }),
    );
    await until(() => (gate.inFlight === 1 ? true : undefined));
    const drained = first.service.drain(5_000);
    await sleep(200);
    gate.release();
    await drained;
    expect(callsOf('counted', 'restart-4')).toBe(0);
    await kill();

    const second = await boot();
    const done = await until(async () => {
      const out = await second.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' ? undefined : out;
    });
    expect(done.status).toBe('SUCCEEDED');
    expect(callsOf('gated', 'restart-4')).toBe(1);
    expect(callsOf('counted', 'restart-4')).toBe(1);
    await kill();
  });
});
