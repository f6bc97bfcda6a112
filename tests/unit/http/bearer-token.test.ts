import { readBearerToken } from '../../../src/http/bearer-token';
import { thrownCode } from '../../helpers/error-code';

const codeOf = (header: string | undefined): string => thrownCode(() => readBearerToken(header));

describe('readBearerToken', () => {
  it('returns the token of a Bearer header', () => {
    expect(readBearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('treats the scheme name case-insensitively (RFC 7235)', () => {
    expect(readBearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(readBearerToken('BEARER abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('reports a missing or blank header as missing', () => {
    expect(codeOf(undefined)).toBe('ERR_AUTH_HEADER_MISSING');
    expect(codeOf('   ')).toBe('ERR_AUTH_HEADER_MISSING');
  });

  it('reports another scheme as unsupported', () => {
    expect(codeOf('Basic dGVzdDp0ZXN0')).toBe('ERR_AUTH_SCHEME_UNSUPPORTED');
    expect(codeOf('Token abc')).toBe('ERR_AUTH_SCHEME_UNSUPPORTED');
  });

  it.each([
    ['no token', 'Bearer'],
    ['only spaces after the scheme', 'Bearer    '],
    ['trailing junk', 'Bearer abc def'],
    ['a token with forbidden characters', 'Bearer abc"def'],
    ['no scheme', 'abc.def.ghi'],
    ['a huge header', `Bearer ${'a'.repeat(5000)}`],
  ])('reports %s as malformed', (_label, header) => {
    expect(codeOf(header)).toBe('ERR_AUTH_HEADER_MALFORMED');
  });
});
