/**
 * Delivery proof on AWS: an SES configuration set whose event destination publishes
 * delivery, bounce, complaint, reject and delay events to an SNS topic; a function
 * subscribed to the topic records each event on the recipient's outbox row.
 *
 * Every function that sends mail sends through this configuration set: NodeFunction's
 * allowMail() finds the stack's MailEvents and grants ses:SendEmail on it too (SES checks
 * the configuration set as a resource of the call).
 */
import {
  type aws_lambda as lambda,
  Stack,
  aws_ses as ses,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';

export class MailEvents extends Construct {
  /** The construct id under the stack, by which allowMail() finds it. */
  static readonly ID = 'MailEvents';

  /** The stack's MailEvents, if it has one. */
  static of(scope: IConstruct): MailEvents | undefined {
    const found = Stack.of(scope).node.tryFindChild(MailEvents.ID);
    return found instanceof MailEvents ? found : undefined;
  }

  readonly configurationSet: ses.ConfigurationSet;
  readonly topic: sns.Topic;

  constructor(scope: Stack, id: string = MailEvents.ID) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Nimitys: SES delivery events',
      enforceSSL: true,
    });
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      sendingEnabled: true,
      reputationMetrics: true,
    });
    this.configurationSet.addEventDestination('ToTopic', {
      destination: ses.EventDestination.snsTopic(this.topic),
      events: [
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.DELIVERY_DELAY,
      ],
    });
  }

  get configurationSetName(): string {
    return this.configurationSet.configurationSetName;
  }

  /** The ARN that ses:SendEmail must allow when a mail names this configuration set. */
  get configurationSetArn(): string {
    return Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSetName,
    });
  }

  /** Subscribes the function that records the events. */
  deliverTo(handler: lambda.IFunction): void {
    this.topic.addSubscription(new subscriptions.LambdaSubscription(handler));
  }
}
