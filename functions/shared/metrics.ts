/**
 * Custom metrics in CloudWatch's embedded metric format: one count per event, written as a
 * log line that CloudWatch turns into a metric, no API call. Namespace and the one dimension
 * (`service`) are those the alarms and the dashboard read (infra/operations.ts). Outside
 * Lambda (the embedded stack, tests) nothing is written.
 *
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import { METRICS_NAMESPACE, type MetricName, SERVICE_NAME } from './metric-names.ts';

/** Counts one event now (written at once: a handler may end without a flush). */
export function countMetric(name: MetricName, count = 1): void {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  const line = {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['service']],
          Metrics: [{ Name: name, Unit: 'Count' }],
        },
      ],
    },
    service: SERVICE_NAME,
    [name]: count,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
