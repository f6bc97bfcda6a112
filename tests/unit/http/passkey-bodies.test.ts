import { readAssertion, readPasskeyId, readRegistration } from '../../../src/http/passkey-bodies';

// The shapes only: what WebAuthn verification then makes of the bytes is in tests/integration/passkeys.test.ts.
const ID = 'AAECAwQFBgcICQoLDA0ODw';
const registration = (overrides: Record<string, unknown> = {}, response: Record<string, unknown> = {}) => ({
  credential: {
    id: ID,
    rawId: ID,
    type: 'public-key',
    response: {
      clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0',
      attestationObject: 'o2NmbXRkbm9uZQ',
      transports: ['internal'],
      ...response,
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'platform',
    ...overrides,
  },
});
const assertion = (overrides: Record<string, unknown> = {}, response: Record<string, unknown> = {}) => ({
  passkey: {
    id: ID,
    rawId: ID,
    type: 'public-key',
    response: {
      clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0',
      authenticatorData: 'SZYN5YgO',
      signature: 'MEUCIQ',
      userHandle: null,
      ...response,
    },
    clientExtensionResults: {},
    ...overrides,
  },
});

/** The 400's code and message, or 'accepted'. */
function refusal(read: () => unknown): { code?: string; message: string } | 'accepted' {
  try {
    read();
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    return { code, message };
  }
  return 'accepted';
}

describe('the registration body', () => {
  it('takes a credential.toJSON() and a name, trimmed', () => {
    const { credential, name } = readRegistration({ ...registration(), name: '  Work laptop ' });
    expect(name).toBe('Work laptop');
    expect(credential).toEqual(registration().credential);
    expect(readRegistration(registration({ authenticatorAttachment: null }, { transports: undefined })).credential).not.toHaveProperty(
      'authenticatorAttachment',
    );
  });

  it('takes a credential id of 1023 bytes, WebAuthn’s maximum, and refuses one of 1024', () => {
    const idOf = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64url');
    expect(readRegistration(registration({ id: idOf(1023), rawId: idOf(1023) })).credential.id).toHaveLength(1364);
    expect(refusal(() => readRegistration(registration({ id: idOf(1024), rawId: idOf(1024) })))).toMatchObject({
      code: 'ERR_BODY_INVALID',
      message: expect.stringContaining('"credential.id" must be base64url, 1-1364 characters'),
    });
    expect(refusal(() => readAssertion(assertion({ id: idOf(1024), rawId: idOf(1024) })))).toMatchObject({
      code: 'ERR_BODY_INVALID',
    });
  });

  it('names each wrong field by its full path in one 400; a missing credential alone', () => {
    expect(refusal(() => readRegistration({}))).toEqual({
      code: 'ERR_BODY_INVALID',
      message: 'Invalid passkey registration: "credential" must be an object',
    });
    expect(refusal(() => readRegistration({ credential: {} }))).toEqual({
      code: 'ERR_BODY_INVALID',
      message:
        'Invalid passkey registration: "credential.id" must be base64url, 1-1364 characters; "credential.type" must be "public-key"; ' +
        '"credential.response" must be an object',
    });
  });

  it('refuses a credential that is not an object, a rawId other than the id, a wrong type, attachment or transports', () => {
    expect(refusal(() => readRegistration({ credential: [] }))).toMatchObject({
      message: expect.stringContaining('"credential" must be an object'),
    });
    const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{ rawId: 'AAEC' }, {}, '"credential.rawId" must equal "credential.id"'],
      [{ type: 'password' }, {}, '"credential.type" must be "public-key"'],
      [{ authenticatorAttachment: 'usb' }, {}, '"credential.authenticatorAttachment" must be platform or cross-platform'],
      [{ clientExtensionResults: 'x' }, {}, '"credential.clientExtensionResults" must be an object'],
      [{}, { transports: ['carrier-pigeon'] }, '"credential.response.transports" must be a list of WebAuthn transports'],
      [{}, { attestationObject: 'not base64url!' }, '"credential.response.attestationObject" must be base64url, 1-4096 characters'],
    ];
    for (const [overrides, response, message] of cases)
      expect(refusal(() => readRegistration(registration(overrides, response)))).toEqual({
        code: 'ERR_BODY_INVALID',
        message: `Invalid passkey registration: ${message}`,
      });
  });

  it('reports a response that is not an object once, not each field it lacks', () => {
    for (const response of ['x', null, [], undefined])
      expect(refusal(() => readRegistration(registration({ response })))).toEqual({
        code: 'ERR_BODY_INVALID',
        message: 'Invalid passkey registration: "credential.response" must be an object',
      });
    expect(refusal(() => readAssertion(assertion({ response: 'x' })))).toEqual({
      code: 'ERR_BODY_INVALID',
      message: 'Invalid passkey assertion: "passkey.response" must be an object',
    });
  });

  it('counts a name as stored: trimmed, in characters (an emoji is one)', () => {
    expect(readRegistration({ ...registration(), name: '😀'.repeat(64) }).name).toBe('😀'.repeat(64));
    expect(readRegistration({ ...registration(), name: ` ${'a'.repeat(64)} ` }).name).toBe('a'.repeat(64));
    expect(refusal(() => readRegistration({ ...registration(), name: '😀'.repeat(65) }))).toMatchObject({ code: 'ERR_BODY_INVALID' });
  });

  it('refuses a name that is empty, too long, or carries control or format characters', () => {
    for (const name of ['', '   ', 'x'.repeat(65), 'tab\there', 'bidi\u202Eevil', 7])
      expect(refusal(() => readRegistration({ ...registration(), name }))).toEqual({
        code: 'ERR_BODY_INVALID',
        message: 'Invalid passkey registration: "name" must be 1-64 printable characters',
      });
  });
});

describe('the assertion body', () => {
  it('takes a credential.toJSON(), without a null userHandle', () => {
    const read = readAssertion(assertion());
    expect(read.response).not.toHaveProperty('userHandle');
    expect(readAssertion(assertion({}, { userHandle: 'dXNlcg' })).response.userHandle).toBe('dXNlcg');
  });

  it('names each wrong field under "passkey"', () => {
    expect(refusal(() => readAssertion({ passkey: 'x' }))).toEqual({
      code: 'ERR_BODY_INVALID',
      message: 'Invalid passkey assertion: "passkey" must be an object',
    });
    expect(refusal(() => readAssertion(assertion({}, { signature: '' })))).toEqual({
      code: 'ERR_BODY_INVALID',
      message: 'Invalid passkey assertion: "passkey.response.signature" must be base64url, 1-1024 characters',
    });
    expect(refusal(() => readAssertion(assertion({ rawId: undefined })))).toEqual({
      code: 'ERR_BODY_INVALID',
      message: 'Invalid passkey assertion: "passkey.rawId" must equal "passkey.id"',
    });
  });
});

describe('a passkey id in the path', () => {
  it('is a base64url credential id; anything else is the same 404 as an unknown one', () => {
    expect(readPasskeyId({ id: ID })).toBe(ID);
    for (const id of [undefined, '', 'a/b', 'x'.repeat(1366)])
      expect(refusal(() => readPasskeyId({ id }))).toMatchObject({ code: 'ERR_PASSKEY_NOT_FOUND' });
    expect(refusal(() => readPasskeyId(null))).toMatchObject({ code: 'ERR_PASSKEY_NOT_FOUND' });
  });
});
