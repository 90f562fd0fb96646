import { Duration, type aws_stepfunctions as sfn } from 'aws-cdk-lib';

/**
 * Errors worth retrying: throttling and service hiccups of DynamoDB, SES and Lambda,
 * named as the SDK and the Lambda integration report them; a service the SDK could not
 * reach at all (ServiceUnreachableError, functions/adapters/clients.ts); a function that
 * died or timed out mid-step (Runtime.ExitError, Sandbox.Timedout: every step is safe to
 * run again, its side effects keyed). Domain errors are not here: retrying a rule
 * violation cannot help. States.Timeout is not here either: a Request* wait timing out is
 * its reminder/deadline loop, caught by name.
 */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TooManyRequestsException',
  'TimeoutError',
  'ConflictError',
  'ServiceUnreachableError',
  'Runtime.ExitError',
  'Sandbox.Timedout',
];

export const TRANSIENT_RETRY: sfn.RetryProps = {
  errors: TRANSIENT_ERRORS,
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.seconds(60),
};
