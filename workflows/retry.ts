import { Duration, type aws_stepfunctions as sfn } from 'aws-cdk-lib';

/**
 * Errors worth retrying: throttling and service hiccups of DynamoDB, SES and Lambda,
 * named as the SDK and the Lambda integration report them. Domain errors are not here:
 * retrying a rule violation cannot help.
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
];

export const TRANSIENT_RETRY: sfn.RetryProps = {
  errors: TRANSIENT_ERRORS,
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.seconds(60),
};
