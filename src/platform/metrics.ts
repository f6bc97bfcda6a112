/**
 * Operational metrics of the stateful functions as CloudWatch Embedded Metric Format: one JSON log
 * line per counted request, turned into metrics by CloudWatch Logs, so no API call and no
 * permission is needed. Namespace from POWERTOOLS_METRICS_NAMESPACE (per stage, serverless.yml),
 * dimension `service`. The alarms in serverless.yml watch some of them. Not loaded by the
 * authorizers or the protected handlers (see `npm run bench` for what it would cost them).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricName } from '../errors/error-table';

let metrics: Metrics | undefined;

/** The metrics writer, built once; functions that count build it at cold start through this. */
export function prepareMetrics(): Metrics {
  metrics ??= new Metrics({ serviceName: 'fresh-token-lambda' });
  return metrics;
}

/** Counts one request in `name` and writes it out at once (a Lambda may freeze after replying). */
export function countMetric(name: MetricName): void {
  const writer = prepareMetrics();
  writer.addMetric(name, MetricUnit.Count, 1);
  writer.publishStoredMetrics();
}
