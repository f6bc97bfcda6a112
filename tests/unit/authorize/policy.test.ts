import { apiWideResource, buildPolicy } from '../../../src/authorize/policy';

describe('policy', () => {
  it('widens a method ARN to every method and path of the same API stage', () => {
    expect(apiWideResource('arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/GET/protected/nested')).toBe(
      'arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/*',
    );
  });

  it('refuses something that is not a method ARN', () => {
    expect(() => apiWideResource('GET/protected')).toThrow();
    expect(() => apiWideResource('arn:aws:execute-api:us-east-1:1:a1b2c3')).toThrow();
  });

  it('builds an IAM policy with one statement and no context when none is given', () => {
    expect(buildPolicy('bob', 'Deny', 'arn:x/prod/*')).toEqual({
      principalId: 'bob',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: 'arn:x/prod/*' }] },
    });
  });
});
