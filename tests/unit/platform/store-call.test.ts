import { conditionalWrite, storeCall } from '../../../src/platform/store-call';
import { rejectionCode as codeOf } from '../../helpers/error-code';

function failWith(fields: Record<string, unknown>): () => Promise<never> {
  return () => Promise.reject(Object.assign(new Error('failed'), fields));
}

describe('storeCall', () => {
  it('passes results through', async () => {
    await expect(storeCall(() => Promise.resolve(42))).resolves.toBe(42);
  });

  it.each([
    ['a refused connection', { code: 'ECONNREFUSED' }],
    ['a connection timeout', { name: 'TimeoutError' }],
    ['throttling', { name: 'ProvisionedThroughputExceededException' }],
    ['a throttled request', { name: 'ThrottlingException' }],
    ['a service fault', { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }],
    ['any 5xx', { name: 'Whatever', $metadata: { httpStatusCode: 503 } }],
  ])('turns %s into a 503-class store error', async (_label, fields) => {
    expect(await codeOf(storeCall(failWith(fields)))).toBe('ERR_STORE_UNAVAILABLE');
  });

  it.each([
    ['a failed condition', { name: 'ConditionalCheckFailedException' }],
    ['a missing table', { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }],
    ['a validation error (a bug)', { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }],
  ])('rethrows %s unchanged', async (_label, fields) => {
    expect(await codeOf(storeCall(failWith(fields)))).toBe(fields.name);
  });
});

describe('conditionalWrite', () => {
  it('answers true when the write was applied and false when its condition did not hold', async () => {
    await expect(conditionalWrite(() => Promise.resolve({}))).resolves.toBe(true);
    await expect(conditionalWrite(failWith({ name: 'ConditionalCheckFailedException' }))).resolves.toBe(false);
  });

  it('still turns an unreachable database into a 503-class error and rethrows real faults', async () => {
    expect(await codeOf(conditionalWrite(failWith({ code: 'ECONNREFUSED' })))).toBe('ERR_STORE_UNAVAILABLE');
    expect(await codeOf(conditionalWrite(failWith({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } })))).toBe(
      'ValidationException',
    );
  });
});
