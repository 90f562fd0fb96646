/**
 * Where the embedded stack listens, and the AWS SDK settings that point any client
 * (handlers, CLI, demo, tests, the AWS CLI) at it. Only 127.0.0.1.
 */
export const LOCAL_REGION = 'eu-north-1';
export const LOCAL_ACCOUNT = '000000000000';

export const DEFAULT_PORTS = { dynamodb: 8000, ses: 8005, sfn: 8083, http: 3000 } as const;
export type Ports = { [K in keyof typeof DEFAULT_PORTS]: number };

export const LOCAL_TABLE_NAME = 'nimitys';
export const LOCAL_MAIL_SENDER = 'nimitys@pohjois-karjala.example';
export const localStateMachineArn = (name: 'Round' | 'Nomination') =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:Nimitys${name}`;

export function localUrls(ports: Ports) {
  return {
    dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
    ses: `http://127.0.0.1:${ports.ses}`,
    sfn: `http://127.0.0.1:${ports.sfn}`,
    http: `http://127.0.0.1:${ports.http}`,
  };
}

/** The standard SDK variables that send every client to the local emulators. */
export function sdkEnvironment(ports: Ports): Record<string, string> {
  const urls = localUrls(ports);
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamodb,
    AWS_ENDPOINT_URL_SESV2: urls.ses,
    AWS_ENDPOINT_URL_SES: urls.ses,
    AWS_ENDPOINT_URL_SFN: urls.sfn,
  };
}

/** Ports from NIMITYS_PORT_* variables (for running two stacks side by side), else the defaults. */
export function portsFromEnv(env: NodeJS.ProcessEnv = process.env): Ports {
  const pick = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return Number.isInteger(value) &&
      value >= 0 &&
      value < 65536 &&
      env[name] !== '' &&
      env[name] !== undefined
      ? value
      : fallback;
  };
  return {
    dynamodb: pick('NIMITYS_PORT_DYNAMODB', DEFAULT_PORTS.dynamodb),
    ses: pick('NIMITYS_PORT_SES', DEFAULT_PORTS.ses),
    sfn: pick('NIMITYS_PORT_SFN', DEFAULT_PORTS.sfn),
    http: pick('NIMITYS_PORT_HTTP', DEFAULT_PORTS.http),
  };
}
