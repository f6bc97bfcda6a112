import { createKeyRing } from '../../../src/tokens/key-ring';
import { createTokenIssuer } from '../../../src/tokens/token-issuer';
import { createTokenVerifier } from '../../../src/tokens/token-verifier';
import { loadSigningKey, loadVerificationKeys } from '../../../src/tokens/keys';
import { fixedKeys } from '../../../src/tokens/key-ring';
import { rejectionCode } from '../../helpers/error-code';
import { AUTH_TIME, testConfig } from '../../helpers/test-config';

/** A ring over a scripted loader and a clock the test moves by hand. */
function scripted(outcomes: (string | Error)[]) {
  let clock = 1_000_000;
  const failures: { error: unknown; keysInUse: boolean }[] = [];
  let recoveries = 0;
  let loads = 0;
  const ring = createKeyRing<string>({
    load: () => {
      const next = outcomes[Math.min(loads++, outcomes.length - 1)]!;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    maxAgeSeconds: 300,
    onFailure: (error, keysInUse) => failures.push({ error, keysInUse }),
    onRecovery: () => recoveries++,
    now: () => clock,
  });
  return {
    ring,
    failures,
    loads: () => loads,
    recoveries: () => recoveries,
    advance: (ms: number) => (clock += ms),
  };
}

const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the key ring', () => {
  it('does not keep a failed load: the next request after a second tries again and succeeds', async () => {
    const { ring, loads, advance } = scripted([throttled(), 'keys-1']);
    expect(await rejectionCode(ring.ready())).toBe('ERR_KEYS_UNAVAILABLE');
    advance(500);
    // Within the second: refused at once, SSM is not asked again.
    expect(await rejectionCode(ring.ready())).toBe('ERR_KEYS_UNAVAILABLE');
    expect(loads()).toBe(1);
    advance(500);
    await expect(ring.ready()).resolves.toBe('keys-1');
    expect(loads()).toBe(2);
    expect(ring.current()).toBe('keys-1');
  });

  it('reports a failure burst once, whatever the number of failed attempts, and the recovery once', async () => {
    const { ring, failures, recoveries, advance } = scripted([throttled(), throttled(), throttled(), 'keys-1']);
    for (let i = 0; i < 3; i++) {
      await ring.ready().catch(() => undefined);
      advance(1000);
    }
    await ring.ready();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ keysInUse: false, error: { name: 'ThrottlingException' } });
    expect(recoveries()).toBe(1);
  });

  it('re-reads in the background after the max age, serving the current keys meanwhile', async () => {
    const { ring, loads, advance } = scripted(['keys-1', 'keys-2']);
    await ring.ready();
    advance(299_000);
    expect(ring.current()).toBe('keys-1');
    expect(loads()).toBe(1);
    advance(1_000);
    expect(ring.current()).toBe('keys-1'); // starts the re-read, does not wait for it
    await settle();
    expect(ring.current()).toBe('keys-2');
    expect(loads()).toBe(2);
  });

  it('keeps the current keys when a re-read fails, logs it once, and retries at most once a second', async () => {
    const { ring, loads, failures, advance } = scripted(['keys-1', throttled(), throttled(), 'keys-2']);
    await ring.ready();
    advance(300_000);
    ring.current();
    await settle();
    expect(ring.current()).toBe('keys-1');
    expect(failures).toEqual([{ error: expect.objectContaining({ name: 'ThrottlingException' }), keysInUse: true }]);
    advance(999);
    for (let i = 0; i < 100; i++) ring.current();
    await settle();
    expect(loads()).toBe(2);
    advance(1);
    ring.current();
    await settle();
    expect(loads()).toBe(3);
    expect(failures).toHaveLength(1);
    advance(1000);
    ring.current();
    await settle();
    expect(ring.current()).toBe('keys-2');
  });

  it('re-reads early for an unknown kid, at most once a minute', async () => {
    const { ring, loads, advance } = scripted(['keys-1', 'keys-2', 'keys-3']);
    await ring.ready();
    await expect(ring.refreshForUnknownKid()).resolves.toBe(true);
    expect(ring.current()).toBe('keys-2');
    advance(59_000);
    await expect(ring.refreshForUnknownKid()).resolves.toBe(false);
    expect(loads()).toBe(2);
    advance(1_000);
    await expect(ring.refreshForUnknownKid()).resolves.toBe(true);
    expect(ring.current()).toBe('keys-3');
  });
});

describe('a verifier over a key ring', () => {
  it('accepts a token signed with a just-rotated key at once, without a cold start', async () => {
    const oldSecret = 'the-old-secret-of-at-least-32-bytes-0123456789';
    const newSecret = 'the-new-secret-of-at-least-32-bytes-0123456789';
    let current = oldSecret;
    const ring = createKeyRing({
      load: () => loadVerificationKeys(testConfig({ JWT_SECRET: current }), () => Promise.reject(new Error('no SSM'))),
      maxAgeSeconds: 300,
      onFailure: () => undefined,
    });
    const verifier = createTokenVerifier(testConfig(), ring);
    const signedWith = (secret: string) => {
      const config = testConfig({ JWT_SECRET: secret });
      return createTokenIssuer(config, fixedKeys(loadSigningKey(config, () => Promise.reject(new Error('no SSM'))))).issueAccessToken(
        'ada',
        true,
        AUTH_TIME,
      );
    };
    await expect(verifier.verifyAccessToken(await signedWith(oldSecret))).resolves.toMatchObject({ sub: 'ada' });
    // The secret rotates in SSM; a token of the new key arrives before the max age is up.
    current = newSecret;
    await expect(verifier.verifyAccessToken(await signedWith(newSecret))).resolves.toMatchObject({ sub: 'ada' });
    // A forged kid within the minute does not make it read again.
    expect(await rejectionCode(verifier.verifyAccessToken(await signedWith('a-third-secret-nobody-rotated-in-0123456789')))).toBe(
      'ERR_TOKEN_INVALID',
    );
  });
});
