import { apiWideResource, buildPolicy, identityContext, stepUpContext } from '../../../src/authorize/policy';
import type { AccessClaims } from '../../../src/tokens/token-types';

const NOW = 1_800_000_000;
const claims = (extra: Partial<AccessClaims> = {}): AccessClaims =>
  ({ sub: 'alice', jti: 'jti-1', iat: NOW - 10, nbf: NOW - 10, exp: NOW + 900, type: 'access', fresh: false, ...extra }) as AccessClaims;

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

  it.each([
    ['another prefix', 'xrn:aws:execute-api:us-east-1:1:a1b2c3/prod/GET/protected'],
    ['nothing before the API id', 'arn:/prod/GET/protected'],
    ['no stage after the API id', 'arn:aws:execute-api:us-east-1:1:a1b2c3/prod'],
    ['an empty stage', 'arn:aws:execute-api:us-east-1:1:a1b2c3//GET/protected'],
  ])('refuses a method ARN with %s', (_label, arn) => {
    expect(() => apiWideResource(arn)).toThrow('methodArn is not an execute-api method ARN');
  });

  it('accepts the shortest shape it reads: something after `arn:`, an API, a stage', () => {
    expect(apiWideResource('arn:x/prod/GET/p')).toBe('arn:x/prod/*');
  });

  it('puts in the context only what the token says: no auth_time, sid, fresh-until, acr or amr keys when it has none', () => {
    expect(Object.keys(identityContext(claims(), NOW)).sort()).toEqual(['expiresAt', 'fresh', 'identity', 'issuedAt', 'jti']);
    expect(identityContext(claims({ fresh: NOW + 60, auth_time: NOW - 5, sid: 's-1' }), NOW)).toStrictEqual({
      identity: 'alice',
      fresh: true,
      jti: 'jti-1',
      issuedAt: NOW - 10,
      expiresAt: NOW + 900,
      authTime: NOW - 5,
      sid: 's-1',
      freshUntil: NOW + 60,
    });
    expect(identityContext(claims({ fresh: true }), NOW)).not.toHaveProperty('freshUntil');
  });

  it('gives a Deny the RFC 9470 challenge, with max_age and acr_values only when the route sets them', () => {
    expect(stepUpContext(undefined)).toStrictEqual({
      challenge: 'Bearer error="insufficient_user_authentication", error_description="A fresh access token is required"',
    });
    expect(stepUpContext(300)).toStrictEqual({
      challenge: 'Bearer error="insufficient_user_authentication", error_description="A fresh access token is required", max_age="300"',
      maxAge: 300,
    });
    // The body's member whole, for a Gateway Response template that cannot test for it.
    expect(stepUpContext(undefined, 'urn:fresh-token:acr:phr')).toStrictEqual({
      challenge:
        'Bearer error="insufficient_user_authentication", error_description="A fresh access token is required", acr_values="urn:fresh-token:acr:phr"',
      acrValuesMember: ',"acr_values":"urn:fresh-token:acr:phr"',
    });
  });

  it('builds an IAM policy with one statement and no context when none is given', () => {
    expect(buildPolicy('bob', 'Deny', 'arn:x/prod/*')).toEqual({
      principalId: 'bob',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: 'arn:x/prod/*' }] },
    });
  });
});
