/**
 * Local key pairs for JWT_ALG=EdDSA or ES256: generated once into .keys/ (git-ignored) and given
 * to the functions as JWT_PRIVATE_KEY / JWT_PUBLIC_KEYS, as SSM would on AWS.
 */
import { exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A fresh key pair as a private JWK and a one-key public JWKS, both with the same `kid`. */
export async function generateKeyMaterial(alg: 'EdDSA' | 'ES256'): Promise<{ privateKey: string; publicKeys: string }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  return { privateKey: JSON.stringify(privateJwk), publicKeys: JSON.stringify({ keys: [{ ...publicJwk, kid, alg, use: 'sig' }] }) };
}

/** The key pair for `alg` in `dir`, generated on first use. */
export async function localKeyMaterial(dir: string, alg: 'EdDSA' | 'ES256'): Promise<{ privateKey: string; publicKeys: string }> {
  const file = path.join(dir, `${alg.toLowerCase()}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { privateKey: string; publicKeys: string };
  const material = await generateKeyMaterial(alg);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(material), { mode: 0o600 });
  return material;
}
