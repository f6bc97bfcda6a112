import { generateKeyMaterial } from '../../../scripts/local-keys';
import type { KeySource } from '../../../src/config/config';
import { loadKeyMaterial, type ParametersReader } from '../../../src/tokens/key-material';
import { testConfig } from '../../helpers/test-config';

// Which SSM parameters a function reads for the parts it wants, in how many round trips, and what
// it gets back: real keys (generated, then imported by jose), a reader that records its calls.

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const PREVIOUS = JSON.stringify(['an-older-secret-of-at-least-32-characters']);

/** A parameter store holding `values`: each call's names are recorded. */
function store(values: Record<string, string>): { read: ParametersReader; calls: string[][] } {
  const calls: string[][] = [];
  const read: ParametersReader = (names) => {
    calls.push([...names]);
    return Promise.resolve(new Map(names.filter((name) => name in values).map((name) => [name, values[name]!])));
  };
  return { read, calls };
}

const hs256 = (secret: KeySource, previousSecrets: KeySource) => ({ ...testConfig({ JWT_SECRET: SECRET }), secret, previousSecrets });

describe('loadKeyMaterial with HS256', () => {
  const settings = hs256({ parameter: '/keys/secret' }, { parameter: '/keys/previous' });
  const values = { '/keys/secret': SECRET, '/keys/previous': PREVIOUS };

  it('reads the secret and the previous secrets in one round trip for a function that verifies', async () => {
    const { read, calls } = store(values);
    const material = await loadKeyMaterial(settings, { sign: false, verify: true }, read);
    expect(calls).toEqual([['/keys/secret', '/keys/previous']]);
    expect(material.signing).toBeUndefined();
    expect(material.verification?.alg).toBe('HS256');
    expect(material.verification?.byKid.size).toBe(2);
    expect(material.verification?.withoutKid).toBeDefined();
  });

  it('reads only the secret for a function that only signs', async () => {
    const { read, calls } = store(values);
    const material = await loadKeyMaterial(settings, { sign: true, verify: false }, read);
    expect(calls).toEqual([['/keys/secret']]);
    expect(material.signing).toMatchObject({ alg: 'HS256', kid: expect.any(String) });
    expect(material).not.toHaveProperty('verification');
  });

  it('reads nothing for a function that wants nothing, or whose keys are given as values', async () => {
    const { read, calls } = store(values);
    expect(await loadKeyMaterial(settings, { sign: false, verify: false }, read)).toEqual({});
    const given = await loadKeyMaterial(hs256({ value: SECRET }, { value: PREVIOUS }), { sign: true, verify: true }, read);
    expect(calls).toEqual([]);
    expect(given.signing?.alg).toBe('HS256');
    expect(given.verification?.byKid.size).toBe(2);
  });

  it('reads a name used twice once (here a secret that cannot also be the list of previous ones)', async () => {
    const { read, calls } = store({ '/keys/both': SECRET });
    const both = hs256({ parameter: '/keys/both' }, { parameter: '/keys/both' });
    await expect(loadKeyMaterial(both, { sign: false, verify: true }, read)).rejects.toThrow('JWT_PREVIOUS_SECRETS');
    expect(calls).toEqual([['/keys/both']]);
  });

  it('fails naming a required parameter that does not exist', async () => {
    const { read } = store({ '/keys/previous': PREVIOUS });
    await expect(loadKeyMaterial(settings, { sign: true, verify: false }, read)).rejects.toThrow(
      'SSM parameter /keys/secret is missing or empty',
    );
  });

  it('reads an optional previous-secrets parameter that does not exist as none (before the first rotation)', async () => {
    const { read, calls } = store({ '/keys/secret': SECRET });
    const optional = hs256({ parameter: '/keys/secret' }, { parameter: '/keys/previous', optional: true });
    const material = await loadKeyMaterial(optional, { sign: false, verify: true }, read);
    expect(calls).toEqual([['/keys/secret', '/keys/previous']]);
    expect(material.verification?.byKid.size).toBe(1);
    // Named but required, the same absence stops the load, naming it.
    await expect(loadKeyMaterial(settings, { sign: false, verify: true }, read)).rejects.toThrow(
      'SSM parameter /keys/previous is missing or empty',
    );
  });

  it('gives the parts wanted when the read began, though more is asked for while it runs', async () => {
    const wants = { sign: true, verify: false };
    const { read: readValues, calls } = store(values);
    // A handler asks for the verifier while the parameters are on their way (a cold fresh-login
    // with a session's refresh token): the next read brings that part, this one must not fail.
    const read: ParametersReader = (names) => {
      wants.verify = true;
      return readValues(names);
    };
    const material = await loadKeyMaterial(settings, wants, read);
    expect(calls).toEqual([['/keys/secret']]);
    expect(material.signing?.alg).toBe('HS256');
    expect(material).not.toHaveProperty('verification');
  });
});

describe.each(['EdDSA', 'ES256'] as const)('loadKeyMaterial with %s', (alg) => {
  let keys: { privateKey: string; publicKeys: string };
  beforeAll(async () => {
    keys = await generateKeyMaterial(alg);
  });
  const settings = () => ({
    ...testConfig({ JWT_ALG: alg, JWT_SECRET: '', JWT_PRIVATE_KEY: keys.privateKey, JWT_PUBLIC_KEYS: keys.publicKeys }),
    privateKey: { parameter: '/keys/private' },
    publicKeys: { parameter: '/keys/public' },
  });
  const values = () => ({ '/keys/private': keys.privateKey, '/keys/public': keys.publicKeys });

  it('reads the private key and the public keys in one round trip for a function that does both', async () => {
    const { read, calls } = store(values());
    const material = await loadKeyMaterial(settings(), { sign: true, verify: true }, read);
    expect(calls).toEqual([['/keys/private', '/keys/public']]);
    expect(material.signing).toMatchObject({ alg, kid: (JSON.parse(keys.privateKey) as { kid: string }).kid });
    expect([...(material.verification?.byKid.keys() ?? [])]).toEqual([material.signing?.kid]);
  });

  it('never reads the private key for a verifier, nor the public keys for a signer', async () => {
    const verifier = store(values());
    expect(await loadKeyMaterial(settings(), { sign: false, verify: true }, verifier.read)).not.toHaveProperty('signing');
    expect(verifier.calls).toEqual([['/keys/public']]);
    const signer = store(values());
    expect(await loadKeyMaterial(settings(), { sign: true, verify: false }, signer.read)).not.toHaveProperty('verification');
    expect(signer.calls).toEqual([['/keys/private']]);
  });
});
