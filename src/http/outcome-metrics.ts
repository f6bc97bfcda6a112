import { ERROR_TABLE, type MetricName } from '../errors/error-table';
import { countMetric, prepareMetrics } from '../platform/metrics';
import type { OutcomeHook } from './http-handler';

/** An outcome hook counting success as `success`, and errors as the error table's metric column says. */
export function countOutcomes(success: MetricName): OutcomeHook {
  prepareMetrics(); // at cold start: most requests of these functions count
  return (outcome) => {
    const name = outcome === 'ok' ? success : outcome === 'fault' ? undefined : ERROR_TABLE[outcome].metric;
    if (name !== undefined) countMetric(name);
  };
}
