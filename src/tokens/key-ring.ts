/**
 * Key material that survives faults. Loaded at cold start; a failed load is never kept: the next
 * request that needs the keys tries again, at most once a second per container, so a throttled
 * SSM is not hammered and the first request after it recovers succeeds. Once loaded, the keys are
 * re-read in the background after `maxAgeSeconds` while the current ones keep serving (a failed
 * re-read keeps them), and early when a token names a `kid` the ring does not know (at most once
 * per cooldown, like jose's remote JWKS), so a just-rotated key is accepted at once.
 */
import { KeysUnavailableError } from '../errors/errors';

export interface KeyRingOptions<T> {
  /** Reads and imports the keys (one SSM round trip). */
  readonly load: () => Promise<T>;
  readonly maxAgeSeconds: number;
  /** Milliseconds between load attempts after a failure. */
  readonly retryIntervalMs?: number;
  /** Milliseconds between early re-reads for unknown `kid`s. */
  readonly unknownKidCooldownMs?: number;
  /** Told of the first failure of each burst (cold start or refresh), so it is logged once. */
  readonly onFailure: (error: unknown, keysInUse: boolean) => void;
  /** Told when loading works again after a failure. */
  readonly onRecovery?: () => void;
  readonly now?: () => number;
}

/** Keys as the verifier and the issuer see them: a key ring, or keys that never change. */
export interface KeySupply<T> {
  /** The keys, if loaded. The hot path: one clock read, and a background re-read when they are old. */
  current(): T | undefined;
  /** The keys, loading them if there are none. Error code: ERR_KEYS_UNAVAILABLE. */
  ready(): Promise<T>;
  /** A token named an unknown `kid`: re-reads unless one did within the cooldown; true if the keys changed. */
  refreshForUnknownKid(): Promise<boolean>;
  /** Reads the keys again now (a part was asked for after the last read). Error code: ERR_KEYS_UNAVAILABLE. */
  reload(): Promise<T>;
}

/** Keys that never change (tests): no re-reads; a failed load fails every call. */
export function fixedKeys<T>(keys: Promise<T>): KeySupply<T> {
  let loaded: T | undefined;
  keys.then((value) => (loaded = value)).catch(() => undefined);
  return {
    current: () => loaded,
    ready: () => keys,
    refreshForUnknownKid: () => Promise.resolve(false),
    reload: () => keys,
  };
}

/** A view of part of a supply (the verification keys of a function's key material, say). */
export function keyPart<T, P>(supply: KeySupply<T>, part: (keys: T) => P | undefined, missing: () => Error): KeySupply<P> {
  return {
    current() {
      const keys = supply.current();
      return keys === undefined ? undefined : part(keys);
    },
    async ready() {
      // Not in the keys read so far: asked for after them (one module of several), so read again.
      const found = part(await supply.ready()) ?? part(await supply.reload());
      if (found === undefined) throw missing();
      return found;
    },
    refreshForUnknownKid: () => supply.refreshForUnknownKid(),
    async reload() {
      const found = part(await supply.reload());
      if (found === undefined) throw missing();
      return found;
    },
  };
}

/** Builds the ring; the first `ready()` (the wiring calls it at cold start) loads the keys. */
export function createKeyRing<T>(options: KeyRingOptions<T>): KeySupply<T> {
  const { load, onFailure, onRecovery } = options;
  const now = options.now ?? Date.now;
  const maxAgeMs = options.maxAgeSeconds * 1000;
  const retryIntervalMs = options.retryIntervalMs ?? 1000;
  const cooldownMs = options.unknownKidCooldownMs ?? 60_000;

  let keys: T | undefined;
  let loadedAt = 0;
  let attemptedAt = -Infinity;
  let unknownKidAt = -Infinity;
  let inFlight: Promise<T> | undefined;
  let failing = false;
  const tooSoon = () => new KeysUnavailableError(new Error('key material failed to load less than a second ago'));

  const attempt = (): Promise<T> => {
    attemptedAt = now();
    inFlight = load().then(
      (loaded) => {
        keys = loaded;
        loadedAt = now();
        if (failing) onRecovery?.();
        failing = false;
        return loaded;
      },
      (error: unknown) => {
        if (!failing) onFailure(error, keys !== undefined);
        failing = true;
        throw new KeysUnavailableError(error);
      },
    );
    void inFlight.finally(() => (inFlight = undefined)).catch(() => undefined);
    return inFlight;
  };

  return {
    current() {
      if (keys !== undefined && inFlight === undefined) {
        const at = now();
        if (at - loadedAt >= maxAgeMs && at - attemptedAt >= retryIntervalMs) attempt().catch(() => undefined);
      }
      return keys;
    },
    async ready() {
      if (keys !== undefined) return keys;
      if (inFlight) return inFlight;
      if (now() - attemptedAt < retryIntervalMs) throw tooSoon();
      return attempt();
    },
    async reload() {
      if (inFlight) return inFlight;
      if (failing && now() - attemptedAt < retryIntervalMs) throw tooSoon();
      return attempt();
    },
    async refreshForUnknownKid() {
      if (now() - unknownKidAt < cooldownMs) return false;
      unknownKidAt = now();
      const before = keys;
      try {
        await (inFlight ?? attempt());
      } catch {
        return false;
      }
      return keys !== before;
    },
  };
}
