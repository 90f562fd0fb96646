/**
 * Errors of the Step Functions API, named exactly as AWS names them: the SDK maps the
 * `__type` of an error response onto its exception classes (`ExecutionAlreadyExists`,
 * `TaskTimedOut`, ...), and callers match on `error.name`.
 */

export type StepFunctionsErrorName =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'StateMachineAlreadyExists'
  | 'StateMachineDoesNotExist'
  | 'StateMachineTypeNotSupported'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException'
  | 'SerializationException'
  | 'UnknownOperationException';

export class StepFunctionsError extends Error {
  constructor(
    override readonly name: StepFunctionsErrorName,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An error raised inside a state (Task result, failed child execution...). Step
 * Functions' Retry/Catch match on `name`; `message` becomes the `Cause`.
 */
export function stateError(name: string, cause: string): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}

/**
 * A failure that must end the execution even under `Catch: States.ALL`, like the
 * engine's own `States.Runtime`. The engine reads these two flags by duck typing.
 */
export class UncatchableStateError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
