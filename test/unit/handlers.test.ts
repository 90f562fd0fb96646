/**
 * Handlers and adapters against a mocked AWS SDK: the wiring, not the rules (those are
 * tested with fakes) and not the services (those run for real in the integration tests).
 */
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../functions/adapters/ses-mailer.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const sfn = mockClient(SFNClient);

type LinkHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;
let linkPage: LinkHandler;

function event(method: string, token: string, body?: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} /l/{token}`,
    rawPath: `/l/${token}`,
    rawQueryString: '',
    headers: {},
    pathParameters: { token },
    isBase64Encoded: false,
    body,
    requestContext: {
      http: { method, path: `/l/${token}`, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
    },
  } as unknown as APIGatewayProxyEventV2;
}

beforeAll(async () => {
  Object.assign(process.env, {
    TABLE_NAME: 'table',
    MAIL_SENDER: 'nimitys@test.example',
    PUBLIC_BASE_URL: 'https://nimitys.test.example/',
    AWS_REGION: 'eu-north-1',
    NIMITYS_LOG_LEVEL: 'silent',
    LINK_SECRET: JSON.stringify({ current: 'handler-test-pepper-0123456789abcdef0123' }),
  });
  ({ handler: linkPage } = (await import('../../functions/link-page.ts')) as unknown as {
    handler: LinkHandler;
  });
});

beforeEach(() => {
  dynamo.reset();
  ses.reset();
  sfn.reset();
});

describe('the link page handler', () => {
  it('answers an unknown token with a Finnish 404 page, safe headers, and no writes', async () => {
    dynamo.on(GetCommand).resolves({});
    const response = await linkPage(event('GET', 'A'.repeat(43)), {} as Context);
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('Linkki ei ole voimassa');
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('does not even look up a malformed token', async () => {
    const response = await linkPage(event('GET', '../../etc/passwd'), {} as Context);
    expect(response.statusCode).toBe(404);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('refuses an oversized form with 413 before touching the table', async () => {
    const response = await linkPage(
      event('POST', 'A'.repeat(43), `text=${'x'.repeat(70_000)}`),
      {} as Context,
    );
    expect(response.statusCode).toBe(413);
    expect(dynamo.calls()).toHaveLength(0);
  });

  it('shows a generic 500 page, without details, when the table fails', async () => {
    dynamo.on(GetCommand).rejects(new Error('connect ECONNREFUSED 10.0.0.1:443'));
    const response = await linkPage(event('GET', 'A'.repeat(43)), {} as Context);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('ECONNREFUSED');
  });
});

describe('the SES mailer', () => {
  const mailer = () =>
    new SesMailer({
      db: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-north-1' })),
      ses: new SESv2Client({ region: 'eu-north-1' }),
      tableName: 'table',
      sender: 'nimitys@test.example',
      now: () => new Date('2023-11-15T10:00:00Z'),
    });
  const key = { roundId: 'r', scope: 'liperi', purpose: 'excerpt', recipient: 'Kirjaamo@Siunsote.example' };
  const content = { subject: 'Pöytäkirjanote', text: 'teksti', html: '<p>teksti</p>' };

  it('claims the outbox row, sends one UTF-8 mail to one recipient, and records the message id', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'msg-1' });
    expect(await mailer().sendOnce(key, content)).toBe('sent');
    const put = dynamo.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(put?.Item?.sk).toBe('MAIL#liperi#excerpt#kirjaamo@siunsote.example');
    const sent = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(sent?.Destination?.ToAddresses).toEqual(['Kirjaamo@Siunsote.example']);
    expect(sent?.Content?.Simple?.Subject).toEqual({ Data: 'Pöytäkirjanote', Charset: 'UTF-8' });
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':messageId': 'msg-1',
    });
  });

  it('sends nothing when the outbox says the mail already went', async () => {
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: { status: 'sent', claimedAt: '2023-11-15T09:00:00Z' } });
    expect(await mailer().sendOnce(key, content)).toBe('already-sent');
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('leaves a fresh claim of another attempt alone (ConflictError, retried by the workflow)', async () => {
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: { status: 'sending', claimedAt: '2023-11-15T09:59:50Z' } });
    await expect(mailer().sendOnce(key, content)).rejects.toMatchObject({ name: 'ConflictError' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});
