import { createKeyRing, keyPart } from '../../../src/tokens/key-ring';
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

describe('the key ring under concurrent and early calls', () => {
  it('shares one load between requests that arrive while it runs, for ready and for reload', async () => {
    const { ring, loads } = scripted(['keys-1', 'keys-2', 'keys-3']);
    await expect(Promise.all([ring.ready(), ring.ready(), ring.ready()])).resolves.toEqual(['keys-1', 'keys-1', 'keys-1']);
    expect(loads()).toBe(1);
    await expect(Promise.all([ring.reload(), ring.reload()])).resolves.toEqual(['keys-2', 'keys-2']);
    expect(loads()).toBe(2);
  });

  it('starts no background read before the first load, and one at a time after the max age', async () => {
    const { ring, loads, advance } = scripted(['keys-1', 'keys-2']);
    advance(600_000);
    expect(ring.current()).toBeUndefined();
    expect(loads()).toBe(0);
    await ring.ready();
    advance(300_000);
    for (let i = 0; i < 5; i++) expect(ring.current()).toBe('keys-1');
    expect(loads()).toBe(2);
    // Even a second later, while that read is still out, no other starts.
    advance(1_000);
    expect(ring.current()).toBe('keys-1');
    expect(loads()).toBe(2);
    await settle();
    expect(ring.current()).toBe('keys-2');
  });

  it('reloads at once when the last load worked, but not again within a second of a failure', async () => {
    const { ring, loads, advance } = scripted(['keys-1', 'keys-2', throttled(), 'keys-3']);
    await ring.ready();
    await expect(ring.reload()).resolves.toBe('keys-2');
    expect(loads()).toBe(2);
    expect(await rejectionCode(ring.reload())).toBe('ERR_KEYS_UNAVAILABLE');
    expect(loads()).toBe(3);
    advance(999);
    const refused = await ring.reload().catch((err: unknown) => err as { code: string; cause: Error; retryAfterSeconds: number });
    expect(refused).toMatchObject({ code: 'ERR_KEYS_UNAVAILABLE', retryAfterSeconds: 1 });
    expect((refused as { cause: Error }).cause.message).toBe('key material failed to load less than a second ago');
    expect(loads()).toBe(3);
    advance(1);
    await expect(ring.reload()).resolves.toBe('keys-3');
  });

  it('recovers without an onRecovery listener, and says an unknown kid changed nothing when the keys read the same', async () => {
    let loads = 0;
    const same = { kid: 'k1' };
    const ring = createKeyRing({
      load: () => (++loads === 1 ? Promise.reject(throttled()) : Promise.resolve(same)),
      maxAgeSeconds: 300,
      onFailure: () => undefined,
      now: () => 1_000_000 + loads * 1000,
    });
    expect(await rejectionCode(ring.ready())).toBe('ERR_KEYS_UNAVAILABLE');
    await expect(ring.ready()).resolves.toBe(same);
    await expect(ring.refreshForUnknownKid()).resolves.toBe(false);
    expect(loads).toBe(3);
  });

  it('says an unknown kid changed nothing when the re-read fails, and keeps the keys', async () => {
    const { ring, advance } = scripted(['keys-1', throttled()]);
    await ring.ready();
    advance(60_000);
    await expect(ring.refreshForUnknownKid()).resolves.toBe(false);
    expect(ring.current()).toBe('keys-1');
  });
});

describe('fixed keys and a part of a supply', () => {
  it('fixed keys: none until loaded, then always the same; an unknown kid never re-reads', async () => {
    let resolve!: (value: string) => void;
    const supply = fixedKeys(new Promise<string>((r) => (resolve = r)));
    expect(supply.current()).toBeUndefined();
    resolve('keys');
    await settle();
    expect(supply.current()).toBe('keys');
    await expect(supply.ready()).resolves.toBe('keys');
    await expect(supply.reload()).resolves.toBe('keys');
    await expect(supply.refreshForUnknownKid()).resolves.toBe(false);
    const failed = fixedKeys<string>(Promise.reject(throttled()));
    await settle();
    expect(failed.current()).toBeUndefined();
    await expect(failed.ready()).rejects.toThrow('Rate exceeded');
  });

  it('a part: read again when missing from the first read, refused by name when missing from both', async () => {
    const { ring, loads } = scripted(['{}', '{"verify":"v"}', '{}']);
    const missing = () => new Error('no verification keys');
    const verify = keyPart(ring, (text) => (JSON.parse(text) as { verify?: string }).verify, missing);
    expect(verify.current()).toBeUndefined();
    await expect(verify.ready()).resolves.toBe('v');
    expect(loads()).toBe(2);
    expect(verify.current()).toBe('v');
    await expect(verify.reload()).rejects.toThrow('no verification keys');
    const present = keyPart(
      fixedKeys(Promise.resolve('{"verify":"w"}')),
      (text) => (JSON.parse(text) as { verify?: string }).verify,
      missing,
    );
    await expect(present.reload()).resolves.toBe('w');
    const never = keyPart(fixedKeys(Promise.resolve('{}')), (text) => (JSON.parse(text) as { verify?: string }).verify, missing);
    await expect(never.ready()).rejects.toThrow('no verification keys');
    await expect(never.reload()).rejects.toThrow('no verification keys');
  });

  it('a part passes an unknown kid on to its supply', async () => {
    const { ring } = scripted(['{"verify":"v1"}', '{"verify":"v2"}']);
    const verify = keyPart(
      ring,
      (text) => (JSON.parse(text) as { verify?: string }).verify,
      () => new Error('missing'),
    );
    await verify.ready();
    await expect(verify.refreshForUnknownKid()).resolves.toBe(true);
    expect(verify.current()).toBe('v2');
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
