import { readTokenClaims } from '../../../client/src/access-token';
import { accessClaims, craftToken } from '../../helpers/craft-token';
import { testIssuer } from '../../helpers/test-config';

describe('reading a token’s claims', () => {
  it('reads exp, iat and sub of a token the product issues', async () => {
    const token = await testIssuer().issueAccessToken('alice', true, 1_700_000_000);
    const claims = readTokenClaims(token);
    expect(claims?.sub).toBe('alice');
    expect(claims!.exp - claims!.iat!).toBe(900);
  });

  it('reads claims written in any characters (UTF-8 in base64url)', async () => {
    expect(readTokenClaims(await craftToken(accessClaims({ sub: 'zoë-😀', exp: 2_000_000_000 })))).toMatchObject({
      sub: 'zoë-😀',
      exp: 2_000_000_000,
    });
  });

  it('answers undefined for what is no JWT with a numeric exp', async () => {
    for (const token of ['', 'a.b', 'x.!!!.y', `x.${Buffer.from('[1]').toString('base64url')}.y`, await craftToken({ sub: 'no-exp' })]) {
      expect({ token, claims: readTokenClaims(token) }).toEqual({ token, claims: undefined });
    }
  });
});
