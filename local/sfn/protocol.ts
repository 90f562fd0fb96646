/**
 * The AWS JSON 1.0 protocol of Step Functions: `X-Amz-Target: AWSStepFunctions.<Op>`,
 * a JSON body whose members are the API's (camelCase) names, timestamps as epoch
 * seconds, and errors as `{"__type": "<ErrorName>", "message": "..."}`, which the SDK
 * and the CLI turn into their named exceptions.
 */
import type { LocalStepFunctions } from './engine.ts';
import { StepFunctionsError } from './errors.ts';
import type { ExecutionStatus, StateMachineType, WaitOverrides } from './types.ts';

/**
 * LOCAL-ONLY extension: on StartExecution, a JSON object of Wait state names to
 * milliseconds (`{"WaitForStartDate": 0}`) that replaces those waits in that execution
 * and the child executions it starts. AWS has no such thing; clients that do not send
 * the header get AWS behaviour.
 */
export const WAIT_OVERRIDES_HEADER = 'x-nimitys-wait-overrides';

const TARGET_PREFIX = 'AWSStepFunctions.';

export interface ProtocolRequest {
  target: string | undefined;
  body: string;
  header(name: string): string | undefined;
}

export interface ProtocolResponse {
  status: number;
  body: string;
}

type Body = Record<string, unknown>;

/** Reads members of a request body, with AWS's error for each way it can be wrong. */
class Members {
  constructor(private readonly body: Body) {}

  private value(name: string, required: boolean): unknown {
    const value = this.body[name];
    if ((value === undefined || value === null) && required) {
      throw new StepFunctionsError(
        'ValidationException',
        `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
      );
    }
    return value ?? undefined;
  }

  private typed<T>(
    name: string,
    required: boolean,
    check: (v: unknown) => v is T,
    type: string,
  ): T | undefined {
    const value = this.value(name, required);
    if (value === undefined) return undefined;
    if (!check(value))
      throw new StepFunctionsError('SerializationException', `Member '${name}' must be ${type}`);
    return value;
  }

  string(name: string): string {
    return this.typed(name, true, (v): v is string => typeof v === 'string', 'a string') as string;
  }

  optionalString(name: string): string | undefined {
    return this.typed(name, false, (v): v is string => typeof v === 'string', 'a string');
  }

  optionalInteger(name: string): number | undefined {
    return this.typed(name, false, (v): v is number => Number.isInteger(v), 'an integer');
  }

  optionalBoolean(name: string): boolean | undefined {
    return this.typed(name, false, (v): v is boolean => typeof v === 'boolean', 'a boolean');
  }
}

function waitOverrides(request: ProtocolRequest): WaitOverrides | undefined {
  const header = request.header(WAIT_OVERRIDES_HEADER);
  if (header === undefined) return undefined;
  try {
    return JSON.parse(header) as WaitOverrides;
  } catch {
    throw new StepFunctionsError('ValidationException', `${WAIT_OVERRIDES_HEADER} must be a JSON object`);
  }
}

type Operation = (service: LocalStepFunctions, m: Members, request: ProtocolRequest) => Promise<unknown>;

const OPERATIONS: Record<string, Operation> = {
  CreateStateMachine: (service, m) =>
    service.createStateMachine({
      name: m.string('name'),
      definition: m.string('definition'),
      roleArn: m.optionalString('roleArn'),
      type: m.optionalString('type') as StateMachineType | undefined,
    }),
  DescribeStateMachine: (service, m) =>
    service.describeStateMachine({ stateMachineArn: m.string('stateMachineArn') }),
  DescribeStateMachineForExecution: (service, m) =>
    service.describeStateMachineForExecution({ executionArn: m.string('executionArn') }),
  ListStateMachines: (service, m) =>
    service.listStateMachines({
      maxResults: m.optionalInteger('maxResults'),
      nextToken: m.optionalString('nextToken'),
    }),
  StartExecution: (service, m, request) =>
    service.startExecution({
      stateMachineArn: m.string('stateMachineArn'),
      name: m.optionalString('name'),
      input: m.optionalString('input'),
      waitOverrides: waitOverrides(request),
    }),
  DescribeExecution: (service, m) => service.describeExecution({ executionArn: m.string('executionArn') }),
  ListExecutions: (service, m) =>
    service.listExecutions({
      stateMachineArn: m.string('stateMachineArn'),
      statusFilter: m.optionalString('statusFilter') as ExecutionStatus | undefined,
      maxResults: m.optionalInteger('maxResults'),
      nextToken: m.optionalString('nextToken'),
    }),
  GetExecutionHistory: (service, m) =>
    service.getExecutionHistory({
      executionArn: m.string('executionArn'),
      maxResults: m.optionalInteger('maxResults'),
      reverseOrder: m.optionalBoolean('reverseOrder'),
      nextToken: m.optionalString('nextToken'),
      includeExecutionData: m.optionalBoolean('includeExecutionData'),
    }),
  StopExecution: (service, m) =>
    service.stopExecution({
      executionArn: m.string('executionArn'),
      error: m.optionalString('error'),
      cause: m.optionalString('cause'),
    }),
  SendTaskSuccess: (service, m) =>
    service.sendTaskSuccess({ taskToken: m.string('taskToken'), output: m.string('output') }),
  SendTaskFailure: (service, m) =>
    service.sendTaskFailure({
      taskToken: m.string('taskToken'),
      error: m.optionalString('error'),
      cause: m.optionalString('cause'),
    }),
  SendTaskHeartbeat: (service, m) => service.sendTaskHeartbeat({ taskToken: m.string('taskToken') }),
};

/** JSON with Dates as epoch seconds, the AWS JSON protocol's default timestamp format. */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    // `converted` has already been through Date#toJSON; the holder still has the Date.
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : converted;
  });
}

function errorResponse(status: number, type: string, message: string): ProtocolResponse {
  return { status, body: JSON.stringify({ __type: type, message }) };
}

export async function handleRequest(
  service: LocalStepFunctions,
  request: ProtocolRequest,
): Promise<ProtocolResponse> {
  const operationName = request.target?.startsWith(TARGET_PREFIX)
    ? request.target.slice(TARGET_PREFIX.length)
    : undefined;
  const operation = operationName === undefined ? undefined : OPERATIONS[operationName];
  if (!operation) {
    return errorResponse(
      400,
      'UnknownOperationException',
      `Unknown operation: ${request.target ?? '(no X-Amz-Target)'}`,
    );
  }
  let body: unknown;
  try {
    body = request.body.trim() === '' ? {} : JSON.parse(request.body);
  } catch {
    return errorResponse(400, 'SerializationException', 'The request body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return errorResponse(400, 'SerializationException', 'The request body must be a JSON object');
  }
  try {
    const result = await operation(service, new Members(body as Body), request);
    return { status: 200, body: toWireJson(result ?? {}) };
  } catch (error) {
    if (error instanceof StepFunctionsError) return errorResponse(400, error.name, error.message);
    console.error(`[local-sfn] ${operationName} failed`, error);
    return errorResponse(
      500,
      'InternalFailure',
      'The local Step Functions service failed to process the request',
    );
  }
}
