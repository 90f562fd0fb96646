import { StepFunctionsError } from './errors.ts';

export interface Scope {
  region: string;
  accountId: string;
}

export function stateMachineArn(scope: Scope, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;
}

export function executionArn(scope: Scope, stateMachineName: string, name: string): string {
  return `arn:aws:states:${scope.region}:${scope.accountId}:execution:${stateMachineName}:${name}`;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:([^:]+)$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:(?:express|execution):([^:]+):([^:]+)$/;

/** Checks the shape of a state machine ARN (InvalidArn), not that it exists. */
export function parseStateMachineArn(arn: unknown): { name: string } {
  const match = typeof arn === 'string' && arn.length <= 2048 ? STATE_MACHINE_ARN.exec(arn) : null;
  if (!match?.[1])
    throw new StepFunctionsError(
      'InvalidArn',
      `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`,
    );
  return { name: match[1] };
}

/** Checks the shape of an execution ARN (InvalidArn), not that it exists. */
export function parseExecutionArn(arn: unknown): { stateMachineName: string; name: string } {
  const match = typeof arn === 'string' && arn.length <= 2048 ? EXECUTION_ARN.exec(arn) : null;
  if (!match?.[1] || !match[2]) {
    throw new StepFunctionsError(
      'InvalidArn',
      `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`,
    );
  }
  return { stateMachineName: match[1], name: match[2] };
}

// AWS: 1–80 characters; no whitespace, brackets, wildcards, the listed special
// characters, or control characters.
// (\p{Cc} is exactly U+0000–U+001F and U+007F–U+009F.)
const FORBIDDEN_NAME_CHARS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]/u;

export function validateName(name: unknown, what: 'execution' | 'state machine'): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > 80 || FORBIDDEN_NAME_CHARS.test(name)) {
    throw new StepFunctionsError(
      'InvalidName',
      `Invalid Name: '${String(name)}' is not a valid ${what} name`,
    );
  }
  return name;
}
