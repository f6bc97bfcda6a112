/**
 * Everything a function signs or verifies with, read in one go: the values given in the
 * environment, and the SSM parameters named there in ONE round trip, then imported. A function
 * reads only the parts it `wants` (login signs, the authorizers verify, refresh does both).
 */
import type { KeySource, TokenConfig } from '../config/config';
import { loadSigningKey, loadVerificationKeys, type SigningKey, type VerificationKeys } from './keys';

export interface KeyMaterial {
  readonly signing?: SigningKey;
  readonly verification?: VerificationKeys;
}

export interface KeyWants {
  sign: boolean;
  verify: boolean;
}

/** Reads several SSM parameters (decrypted) in one call, by name: those that exist and are not empty. */
export type ParametersReader = (names: readonly string[]) => Promise<ReadonlyMap<string, string>>;

type KeySettings = Parameters<typeof loadSigningKey>[0];

/** The key sources each wanted part reads, for the configured algorithm. */
function sourcesOf(settings: KeySettings, wants: KeyWants): KeySource[] {
  if (settings.jwtAlgorithm === 'HS256')
    return wants.sign || wants.verify ? [settings.secret, ...(wants.verify ? [settings.previousSecrets] : [])] : [];
  return [...(wants.sign ? [settings.privateKey] : []), ...(wants.verify ? [settings.publicKeys] : [])];
}

/** Loads the wanted parts. Throws `KeyConfigError` naming the variable, or the SSM read's error. */
export async function loadKeyMaterial(
  settings: Pick<TokenConfig, keyof KeySettings>,
  wantedNow: KeyWants,
  readParameters: ParametersReader,
): Promise<KeyMaterial> {
  // A copy: a handler may ask for more while the parameters are read (a session's token at a cold
  // fresh-login), and that part must wait for the next read, not look for parameters this one skipped.
  const wants = { ...wantedNow };
  const names = [...new Set(sourcesOf(settings, wants).flatMap((source) => (source && 'parameter' in source ? [source.parameter] : [])))];
  const values = names.length > 0 ? await readParameters(names) : new Map<string, string>();
  const fromBatch = (name: string): Promise<string | undefined> =>
    names.includes(name) ? Promise.resolve(values.get(name)) : Promise.reject(new Error(`SSM parameter ${name} was not read`));
  const [signing, verification] = await Promise.all([
    wants.sign ? loadSigningKey(settings, fromBatch) : undefined,
    wants.verify ? loadVerificationKeys(settings, fromBatch) : undefined,
  ]);
  return { ...(signing ? { signing } : {}), ...(verification ? { verification } : {}) };
}
