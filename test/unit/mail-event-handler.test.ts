/** The SES events handler on a mocked SDK: an SNS record with an SES event lands on the outbox row, found without a Scan. */
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';

const dynamo = mockClient(DynamoDBDocumentClient);
type Handler = (event: SNSEvent, context: Context) => Promise<void>;
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, {
    TABLE_NAME: 'table',
    MAIL_SENDER: 'nimitys@test.example',
    PUBLIC_BASE_URL: 'https://nimitys.test.example/',
    AWS_REGION: 'eu-north-1',
    NIMITYS_LOG_LEVEL: 'silent',
  });
  ({ handler } = (await import('../../functions/record-mail-event.ts')) as unknown as { handler: Handler });
});

/** An SNS notification as Lambda receives it from a configuration set's topic. */
function snsEvent(message: unknown): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-north-1:123456789012:MailEventsTopic:6a6a3b1c',
        Sns: {
          Type: 'Notification',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: 'arn:aws:sns:eu-north-1:123456789012:MailEventsTopic',
          Subject: null as unknown as string,
          Message: JSON.stringify(message),
          Timestamp: '2023-11-21T08:00:03.000Z',
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.eu-north-1.amazonaws.com/SimpleNotificationService-0000.pem',
          UnsubscribeUrl: 'https://sns.eu-north-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

describe('the SES events handler', () => {
  it('records a delivery on the row its message id points to', async () => {
    // prepare
    dynamo.reset();
    dynamo
      .on(GetCommand, { Key: { pk: 'MAILID#0100018bf1b0-abc', sk: 'MAILID' } })
      .resolves({ Item: { mailPk: 'ROUND#r1', mailSk: 'MAIL#liperi#excerpt#kirjaamo@siunsote.example' } });
    dynamo
      .on(GetCommand, { Key: { pk: 'ROUND#r1', sk: 'MAIL#liperi#excerpt#kirjaamo@siunsote.example' } })
      .resolves({
        Item: {
          roundId: 'r1',
          scope: 'liperi',
          purpose: 'excerpt',
          recipient: 'kirjaamo@siunsote.example',
          status: 'sent',
          deliveryState: 'sent',
        },
      });
    dynamo.on(UpdateCommand).resolves({
      Attributes: {
        roundId: 'r1',
        scope: 'liperi',
        purpose: 'excerpt',
        recipient: 'x',
        deliveryState: 'delivered',
      },
    });
    // act
    await handler(
      snsEvent({
        eventType: 'Delivery',
        mail: {
          timestamp: '2023-11-21T08:00:00.000Z',
          messageId: '0100018bf1b0-abc',
          destination: ['kirjaamo@siunsote.example'],
        },
        delivery: {
          timestamp: '2023-11-21T08:00:02.133Z',
          processingTimeMillis: 2133,
          recipients: ['kirjaamo@siunsote.example'],
          smtpResponse: '250 2.6.0 Message received',
          reportingMTA: 'a8-70.smtp-out.amazonses.com',
        },
      }),
      {} as Context,
    );
    // assess
    expect(dynamo.commandCalls(ScanCommand)).toHaveLength(0);
    const [update] = dynamo.commandCalls(UpdateCommand);
    expect(update?.args[0].input).toMatchObject({
      Key: { pk: 'ROUND#r1', sk: 'MAIL#liperi#excerpt#kirjaamo@siunsote.example' },
      ExpressionAttributeValues: expect.objectContaining({
        ':state': 'delivered',
        ':at': '2023-11-21T08:00:02.133Z',
        ':previous': 'sent',
      }),
    });
  });

  it('leaves the table alone for an event of a message it never sent', async () => {
    dynamo.reset();
    dynamo.on(GetCommand).resolves({});
    await handler(
      snsEvent({ eventType: 'Bounce', mail: { messageId: 'unknown' }, bounce: { bounceType: 'Permanent' } }),
      {} as Context,
    );
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
