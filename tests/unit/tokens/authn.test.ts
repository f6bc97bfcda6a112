import { ACR_VALUES } from '../../../src/config/config';
import { authnOf, meetsAcr, PASSWORD_AUTHN, passkeyAuthn } from '../../../src/tokens/authn';

describe('meetsAcr', () => {
  it('asks nothing when no class is required', () => {
    expect(meetsAcr(undefined, undefined)).toBe(true);
    expect(meetsAcr('urn:somebody-else', undefined)).toBe(true);
  });

  it('counts a token without acr (a Flask token) as the password: it meets pwd, not phr', () => {
    expect(meetsAcr(undefined, ACR_VALUES.pwd)).toBe(true);
    expect(meetsAcr(undefined, ACR_VALUES.phr)).toBe(false);
  });

  it('orders the classes: a passkey meets both, the password only its own', () => {
    expect(meetsAcr(ACR_VALUES.phr, ACR_VALUES.phr)).toBe(true);
    expect(meetsAcr(ACR_VALUES.phr, ACR_VALUES.pwd)).toBe(true);
    expect(meetsAcr(ACR_VALUES.pwd, ACR_VALUES.pwd)).toBe(true);
    expect(meetsAcr(ACR_VALUES.pwd, ACR_VALUES.phr)).toBe(false);
  });

  it('lets a class this product does not issue meet nothing, however it is spelled', () => {
    for (const acr of ['', 'urn:fresh-token:acr:PHR', 'phr', '2', 'toString', '__proto__'])
      expect([acr, meetsAcr(acr, ACR_VALUES.pwd)]).toEqual([acr, false]);
  });
});

describe('authnOf', () => {
  it('reads the amr and acr a token carries', () => {
    expect(authnOf({ amr: ['hwk', 'user'], acr: ACR_VALUES.phr })).toEqual({ amr: ['hwk', 'user'], acr: ACR_VALUES.phr });
    expect(authnOf({ amr: ['pwd'], acr: ACR_VALUES.pwd })).toEqual(PASSWORD_AUTHN);
  });

  it('falls back to the password when either claim is missing, or the acr is not one of ours', () => {
    expect(authnOf({})).toBe(PASSWORD_AUTHN);
    expect(authnOf({ acr: ACR_VALUES.phr })).toBe(PASSWORD_AUTHN);
    expect(authnOf({ amr: ['hwk', 'user'] })).toBe(PASSWORD_AUTHN);
    expect(authnOf({ amr: ['hwk', 'user'], acr: 'urn:somebody-else' })).toBe(PASSWORD_AUTHN);
  });
});

describe('passkeyAuthn', () => {
  it('says hwk for a key bound to its device, swk for a synced one; always user-verified and phishing-resistant', () => {
    expect(passkeyAuthn(false)).toEqual({ amr: ['hwk', 'user'], acr: ACR_VALUES.phr });
    expect(passkeyAuthn(true)).toEqual({ amr: ['swk', 'user'], acr: ACR_VALUES.phr });
  });
});
