import { readCaller } from '../../../src/http/authorizer-identity';
import { PASSWORD_AUTHN } from '../../../src/tokens/authn';
import { readClientInfo } from '../../../src/http/client-info';
import { authorizedGet, httpEvent } from '../../helpers/events';
import { thrownCode } from '../../helpers/error-code';

describe('readCaller', () => {
  it('reads the context as the authorizer returned it', () => {
    expect(readCaller(authorizedGet({ identity: 'alice', fresh: true, authTime: 1700000000, sid: 'fam-1', jti: 'j' }))).toEqual({
      username: 'alice',
      fresh: true,
      authTime: 1700000000,
      sessionId: 'fam-1',
      authn: PASSWORD_AUTHN,
    });
  });

  it('reads a "fresh until" token’s limit and the expiry', () => {
    expect(
      readCaller(
        authorizedGet({ identity: 'alice', fresh: 'true', freshUntil: '1800000600', issuedAt: '1800000000', expiresAt: 1800000900 }),
      ),
    ).toEqual({
      username: 'alice',
      fresh: true,
      freshUntil: 1800000600,
      issuedAt: 1800000000,
      expiresAt: 1800000900,
      authn: PASSWORD_AUTHN,
    });
  });

  it('reads numbers and booleans handed over as strings', () => {
    expect(readCaller(authorizedGet({ identity: 'alice', fresh: 'false', authTime: '1700000000' }))).toEqual({
      username: 'alice',
      fresh: false,
      authTime: 1700000000,
      authn: PASSWORD_AUTHN,
    });
  });

  it('reads how the user authenticated: a passkey’s acr and amr, the password’s when the token says nothing or something unknown', () => {
    const phr = 'urn:fresh-token:acr:phr';
    expect(readCaller(authorizedGet({ identity: 'alice', fresh: 'true', acr: phr, amr: 'swk user' })).authn).toEqual({
      acr: phr,
      amr: ['swk', 'user'],
    });
    expect(readCaller(authorizedGet({ identity: 'alice', fresh: 'true', acr: phr, amr: 'hwk user' })).authn).toEqual({
      acr: phr,
      amr: ['hwk', 'user'],
    });
    for (const context of [{}, { acr: phr }, { acr: phr, amr: '' }, { acr: 'urn:other', amr: 'hwk user' }, { acr: 7, amr: 'hwk' }]) {
      expect(readCaller(authorizedGet({ identity: 'alice', fresh: 'false', ...context })).authn).toEqual(PASSWORD_AUTHN);
    }
  });

  it('fails as a deployment fault without an identity', () => {
    expect(thrownCode(() => readCaller(authorizedGet(undefined)))).toBe('ERR_MISSING_IDENTITY');
    expect(thrownCode(() => readCaller(authorizedGet({ identity: '' })))).toBe('ERR_MISSING_IDENTITY');
  });
});

describe('readClientInfo', () => {
  it('takes the source IP from API Gateway, never from X-Forwarded-For, and cuts a long user agent', () => {
    const event = httpEvent({ headers: { 'X-Forwarded-For': '6.6.6.6' } });
    const withIdentity = {
      ...event,
      requestContext: {
        ...event.requestContext,
        identity: { ...event.requestContext.identity, sourceIp: '203.0.113.5', userAgent: 'a'.repeat(1000) },
      },
    };
    expect(readClientInfo(withIdentity)).toEqual({ ip: '203.0.113.5', userAgent: 'a'.repeat(256) });
    expect(readClientInfo(httpEvent({ headers: { 'user-agent': 'curl/8' } }))).toEqual({ ip: 'unknown', userAgent: 'curl/8' });
  });
});
