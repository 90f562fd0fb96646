/**
 * What the operators see: an SNS topic for their e-mail (encrypted with the platform key),
 * alarms on everything that needs a person (docs/runbook.md says what each means and what
 * to do), and one CloudWatch dashboard.
 */
import {
  aws_cloudwatch_actions as actions,
  type aws_apigatewayv2 as apigw,
  aws_cloudwatch as cloudwatch,
  Duration,
  type aws_kms as kms,
  type aws_lambda as lambda,
  type aws_stepfunctions as sfn,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../functions/shared/metric-names.ts';

/**
 * SES puts an account under review at a 5 % bounce rate and at a 0.1 % complaint rate;
 * the alarms fire well before, so there is time to act.
 */
export const SES_BOUNCE_RATE_ALARM = 0.03;
export const SES_COMPLAINT_RATE_ALARM = 0.0008;

/** Alarm ids, each a section of docs/runbook.md (the alarm's description links to it). */
export const RUNBOOK_SECTIONS = {
  executionsFailed: 'executions-failed',
  executionsTimedOut: 'executions-timed-out',
  functionErrors: 'function-errors',
  functionThrottles: 'function-throttles',
  sesBounceRate: 'ses-bounce-rate',
  sesComplaintRate: 'ses-complaint-rate',
  api5xx: 'api-5xx',
  auditNotWritten: 'audit-not-written',
} as const;

export interface OperationsProps {
  key: kms.IKey;
  /** Subscribed to the alarm topic (the address confirms the subscription from a mail). */
  operatorEmail?: string;
  functions: lambda.Function[];
  stateMachines: Record<string, sfn.StateMachine>;
  api: apigw.HttpApi;
}

export class Operations extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);

    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Nimitys alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.operatorEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.operatorEmail));
    }
    const notify = new actions.SnsAction(this.topic);
    const alarm = (
      alarmId: string,
      section: string,
      what: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      evaluationPeriods = 1,
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `${what} What to do: docs/runbook.md#${section}`,
      });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      this.alarms.push(created);
      return created;
    };
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };

    for (const [name, machine] of Object.entries(props.stateMachines)) {
      alarm(
        `${name}ExecutionsFailed`,
        RUNBOOK_SECTIONS.executionsFailed,
        `A ${name} execution failed.`,
        machine.metricFailed(fiveMinutes),
        1,
      );
      alarm(
        `${name}ExecutionsTimedOut`,
        RUNBOOK_SECTIONS.executionsTimedOut,
        `A ${name} execution timed out.`,
        machine.metricTimedOut(fiveMinutes),
        1,
      );
    }
    for (const fn of props.functions) {
      const name = fn.node.id;
      alarm(
        `${name}Errors`,
        RUNBOOK_SECTIONS.functionErrors,
        `${name} ended invocations with an error.`,
        fn.metricErrors(fiveMinutes),
        1,
      );
      alarm(
        `${name}Throttles`,
        RUNBOOK_SECTIONS.functionThrottles,
        `${name} was throttled.`,
        fn.metricThrottles(fiveMinutes),
        1,
      );
    }
    // Account-level reputation (the rates SES itself reviews), one value an hour or so.
    const reputation = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        period: Duration.hours(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      });
    alarm(
      'SesBounceRate',
      RUNBOOK_SECTIONS.sesBounceRate,
      `SES bounce rate at ${SES_BOUNCE_RATE_ALARM * 100} % (SES reviews the account at 5 %).`,
      reputation('Reputation.BounceRate'),
      SES_BOUNCE_RATE_ALARM,
    );
    alarm(
      'SesComplaintRate',
      RUNBOOK_SECTIONS.sesComplaintRate,
      `SES complaint rate at ${SES_COMPLAINT_RATE_ALARM * 100} % (SES reviews the account at 0.1 %).`,
      reputation('Reputation.ComplaintRate'),
      SES_COMPLAINT_RATE_ALARM,
    );
    alarm(
      'Api5xx',
      RUNBOOK_SECTIONS.api5xx,
      'The HTTP API answered with 5xx.',
      props.api.metricServerError(fiveMinutes),
      1,
    );

    const custom = (metricName: string, label?: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME },
        label,
        ...fiveMinutes,
      });
    alarm(
      'AuditNotWritten',
      RUNBOOK_SECTIONS.auditNotWritten,
      "An official's action took effect but its audit entry was not written.",
      custom(METRIC.auditNotWritten),
      1,
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
    });
    const machines = Object.entries(props.stateMachines);
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
      new cloudwatch.GraphWidget({
        title: 'Mail',
        width: 12,
        left: [
          custom(METRIC.mailSent, 'sent'),
          custom(METRIC.mailBounced, 'bounced'),
          custom(METRIC.mailComplained, 'complaints'),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Links and decisions',
        width: 12,
        left: [
          custom(METRIC.linkUsed, 'links used'),
          custom(METRIC.decisionRecorded, 'decisions'),
          custom(METRIC.linkRateLimited, 'rate-limited'),
          custom(METRIC.auditNotWritten, 'audit entries not written'),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Executions',
        width: 12,
        left: machines.flatMap(([name, machine]) => [
          machine.metricStarted({ ...fiveMinutes, label: `${name} started` }),
          machine.metricSucceeded({ ...fiveMinutes, label: `${name} succeeded` }),
          machine.metricFailed({ ...fiveMinutes, label: `${name} failed` }),
          machine.metricTimedOut({ ...fiveMinutes, label: `${name} timed out` }),
        ]),
      }),
      new cloudwatch.GraphWidget({
        title: 'SES reputation (alarm lines)',
        width: 12,
        left: [reputation('Reputation.BounceRate'), reputation('Reputation.ComplaintRate')],
        leftAnnotations: [
          { value: SES_BOUNCE_RATE_ALARM, label: 'bounce alarm' },
          { value: SES_COMPLAINT_RATE_ALARM, label: 'complaint alarm' },
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Function errors and throttles',
        width: 12,
        left: props.functions.map((fn) => fn.metricErrors({ ...fiveMinutes, label: `${fn.node.id} errors` })),
        right: props.functions.map((fn) =>
          fn.metricThrottles({ ...fiveMinutes, label: `${fn.node.id} throttles` }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'HTTP API',
        width: 12,
        left: [
          props.api.metricClientError({ ...fiveMinutes, label: '4xx' }),
          props.api.metricServerError({ ...fiveMinutes, label: '5xx' }),
        ],
        right: [
          props.api.metricLatency({ period: Duration.minutes(5), statistic: 'p99', label: 'latency p99' }),
        ],
      }),
    );
  }
}
