/**
 * Custom metrics in CloudWatch's embedded metric format (Powertools Metrics): one count per
 * event, written as a log line and turned into a metric by CloudWatch, no API call. Outside
 * Lambda (the embedded stack, tests) nothing is written.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, type MetricName, SERVICE_NAME } from './metric-names.ts';

let metrics: Metrics | undefined;

/** Counts one event now (published at once: a handler may end without a flush). */
export function countMetric(name: MetricName, count = 1): void {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  metrics.addMetric(name, MetricUnit.Count, count);
  metrics.publishStoredMetrics();
}
