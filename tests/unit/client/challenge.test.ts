import { readBearerChallenge } from '../../../client/src/challenge';
import { ACR_VALUES } from '../../../src/config/config';
import { ERROR_TABLE } from '../../../src/errors/error-table';
import { stepUpContext } from '../../../src/authorize/policy';

// WWW-Authenticate as the API writes it (the error table's challenges, the authorizer's RFC 9470
// Deny challenge) and as RFC 6750 and RFC 9110 allow others to.

describe('reading the Bearer challenge', () => {
  it('reads invalid_token from the error table’s challenge', () => {
    expect(readBearerChallenge(ERROR_TABLE.ERR_TOKEN_INVALID.wwwAuthenticate)).toEqual({
      error: 'invalid_token',
      acrValues: [],
      maxAge: undefined,
    });
  });

  it('reads the step-up challenge of the Gateway Response, which names no class or age', () => {
    expect(readBearerChallenge(ERROR_TABLE.ERR_FRESH_TOKEN_REQUIRED.wwwAuthenticate)).toEqual({
      error: 'insufficient_user_authentication',
      acrValues: [],
      maxAge: undefined,
    });
  });

  it('reads acr_values and max_age from an authorizer’s own Deny challenge (STEP_UP_CHALLENGE=context)', () => {
    expect(readBearerChallenge(stepUpContext(300, ACR_VALUES.phr).challenge)).toEqual({
      error: 'insufficient_user_authentication',
      acrValues: [ACR_VALUES.phr],
      maxAge: 300,
    });
  });

  it('reads a challenge without an error (a missing header) as one with no error', () => {
    expect(readBearerChallenge(ERROR_TABLE.ERR_AUTH_HEADER_MISSING.wwwAuthenticate)).toEqual({
      error: undefined,
      acrValues: [],
      maxAge: undefined,
    });
  });

  it('finds Bearer among several challenges, whatever the case of scheme and names, with tokens and quoted strings', () => {
    expect(
      readBearerChallenge(
        'Basic realm="x, y", BEARER Realm="api", ERROR=insufficient_user_authentication, acr_values="a b  c", max_age=60',
      ),
    ).toEqual({ error: 'insufficient_user_authentication', acrValues: ['a', 'b', 'c'], maxAge: 60 });
    expect(readBearerChallenge('Bearer error="invalid_token", error_description="say \\"hi\\", then go"')?.error).toBe('invalid_token');
  });

  it('ignores a max_age that is not a non-negative integer, and answers undefined without a Bearer challenge', () => {
    expect(readBearerChallenge('Bearer max_age="-1"')?.maxAge).toBeUndefined();
    expect(readBearerChallenge('Bearer max_age="1e3"')?.maxAge).toBeUndefined();
    expect(readBearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(readBearerChallenge(null)).toBeUndefined();
    expect(readBearerChallenge('')).toBeUndefined();
  });

  it('never loops or throws on malformed values', () => {
    for (const value of ['Bearer error="unterminated', 'Bearer ===', ',,,', 'Bearer error=', '"Bearer"', 'Bearer a=b=c, =d']) {
      expect(() => readBearerChallenge(value)).not.toThrow();
    }
  });
});
