/**
 * WebAuthn through @simplewebauthn/server: the only importer of it, as `tokens/` is of jose. The
 * options are the WebAuthn JSON forms browsers parse with `PublicKeyCredential.parse*OptionsFromJSON`;
 * responses are a credential's `toJSON()`. Functions that never see a passkey (the authorizers, the
 * protected handlers) never import this file (tests/unit/bundles.test.ts).
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { createHash, randomBytes } from 'node:crypto';
import type { RelyingParty } from '../config/config';

export type { AuthenticationResponseJSON, RegistrationResponseJSON };
export type CreationOptions = PublicKeyCredentialCreationOptionsJSON;
export type RequestOptions = PublicKeyCredentialRequestOptionsJSON;

/** ES256, EdDSA, RS256: what platform authenticators and security keys make. */
const ALGORITHMS = [-7, -8, -257];

/** A new random challenge (32 bytes), base64url as it comes back in clientDataJSON. */
export function newChallenge(): string {
  return randomBytes(32).toString('base64url');
}

/** The WebAuthn user handle of `username`: stable for all of a user's passkeys, and no name in it. */
function userHandle(username: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(`fresh-token-user:${username}`).digest());
}

/** Registration options: attestation none, a resident key preferred, user verification required. */
export function registrationOptions(
  rp: RelyingParty,
  username: string,
  challenge: string,
  exclude: readonly { id: string; transports?: readonly string[] }[],
  timeoutSeconds: number,
): Promise<CreationOptions> {
  return generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userName: username,
    userID: userHandle(username),
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: timeoutSeconds * 1000,
    attestationType: 'none',
    excludeCredentials: exclude.map(({ id, transports }) => (transports ? { id, transports: [...transports] } : { id })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/** Authentication options: user verification required; `allow` empty for a discoverable credential. */
export function authenticationOptions(
  rp: RelyingParty,
  challenge: string,
  allow: readonly { id: string; transports?: readonly string[] }[],
  timeoutSeconds: number,
): Promise<RequestOptions> {
  return generateAuthenticationOptions({
    rpID: rp.rpId,
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: timeoutSeconds * 1000,
    userVerification: 'required',
    allowCredentials: allow.map(({ id, transports }) => (transports ? { id, transports: [...transports] } : { id })),
  });
}

/**
 * The challenge and type a response's clientDataJSON names, so the server can find the challenge
 * it handed out without another handle, and whether the browser says the asking page was embedded
 * in another origin's (`crossOrigin`: no deployment here allows that, and the library checks it only
 * when a `topOrigin` comes with it). Anything but `crossOrigin` absent or exactly `false`, and any
 * `topOrigin`, counts as embedded: a string "true" must not slip past a strict `=== true`.
 * Undefined when clientDataJSON is not such a JSON object.
 */
export function clientChallenge(clientDataJSON: string): { challenge: string; type: string; crossOrigin: boolean } | undefined {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    if (typeof data !== 'object' || data === null) return undefined;
    const { challenge, type, crossOrigin, topOrigin } = data as Record<string, unknown>;
    if (typeof challenge !== 'string' || !/^[A-Za-z0-9_-]{16,128}$/.test(challenge) || typeof type !== 'string') return undefined;
    return { challenge, type, crossOrigin: (crossOrigin !== undefined && crossOrigin !== false) || topOrigin !== undefined };
  } catch {
    return undefined;
  }
}

/** A registered passkey's verified facts, as stored. */
export interface NewCredential {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly transports?: readonly string[];
  readonly backedUp: boolean;
  readonly deviceType: 'singleDevice' | 'multiDevice';
  readonly aaguid: string;
}

/**
 * Verifies a registration response against `challenge` (origin, RP ID, user verification,
 * attestation `none`). Returns the credential, or the reason it was refused (never thrown: the
 * library's messages are for the log, not the client).
 */
export async function verifyRegistration(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  challenge: string,
): Promise<{ ok: true; credential: NewCredential } | { ok: false; reason: string }> {
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...rp.origins],
      expectedRPID: rp.rpId,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALGORITHMS,
    });
    if (!result.verified) return { ok: false, reason: 'not verified' };
    const { credential, credentialBackedUp, credentialDeviceType, aaguid } = result.registrationInfo;
    return {
      ok: true,
      credential: {
        id: credential.id,
        publicKey: credential.publicKey,
        counter: credential.counter,
        ...(response.response.transports ? { transports: response.response.transports } : {}),
        backedUp: credentialBackedUp,
        deviceType: credentialDeviceType,
        aaguid,
      },
    };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : 'unreadable response' };
  }
}

/**
 * Verifies an assertion by the stored credential against `challenge` (origin, RP ID, user
 * verification, signature). The signature counter is left to the caller, which audits a regression:
 * the library is given counter 0 so that it never refuses for that reason itself.
 */
export async function verifyAssertion(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  challenge: string,
  stored: { id: string; publicKey: Uint8Array; transports?: readonly string[] },
): Promise<{ ok: true; newCounter: number; backedUp: boolean } | { ok: false; reason: string }> {
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: [...rp.origins],
      expectedRPID: rp.rpId,
      requireUserVerification: true,
      credential: {
        id: stored.id,
        publicKey: new Uint8Array(stored.publicKey),
        counter: 0,
        ...(stored.transports ? { transports: [...stored.transports] } : {}),
      },
    });
    if (!result.verified) return { ok: false, reason: 'not verified' };
    const { newCounter, credentialBackedUp, userVerified } = result.authenticationInfo;
    if (!userVerified) return { ok: false, reason: 'user not verified' };
    return { ok: true, newCounter, backedUp: credentialBackedUp };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : 'unreadable response' };
  }
}
