import { StoreUnavailableError } from '../errors/errors';

/** DynamoDB error names that mean "not now" rather than "never": throttling and service faults. */
const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);

/** Node's network error codes for a database that cannot be reached. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH']);

function isConditionFailure(err: unknown): boolean {
  return (err as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/**
 * Runs one database call. An unreachable or throttled database becomes `StoreUnavailableError`
 * (503, Retry-After); anything else (a failed condition, a bug, a missing table) is rethrown as is.
 */
export async function storeCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const { name, code, $metadata } = (err ?? {}) as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
    const status = $metadata?.httpStatusCode;
    if (
      (name !== undefined && TRANSIENT.has(name)) ||
      (code !== undefined && UNREACHABLE.has(code)) ||
      (status !== undefined && status >= 500)
    ) {
      throw new StoreUnavailableError(err);
    }
    throw err;
  }
}

/**
 * Runs one conditional write: true when it was applied, false when its condition did not hold
 * (a result, not a fault). Unreachable or throttled → `StoreUnavailableError`, as `storeCall`.
 */
export async function conditionalWrite(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await storeCall(run);
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}
