/**
 * Cold-start wiring of the passkey side: the WebAuthn settings (checked when the function loads, so
 * a malformed WEBAUTHN_RP_ID or WEBAUTHN_ORIGINS stops it, naming the variable) and the passkey and
 * challenge stores over the function's one DynamoDB client. Only the functions that take passkeys
 * import this file; the authorizers never do.
 */
import { loadPasskeyConfig, type PasskeyConfig } from '../config/config';
import { createDynamoChallengeStore } from '../passkeys/challenge-store';
import { createDynamoPasskeyStore } from '../passkeys/passkey-store';
import type { PasskeyClient, PasskeyDeps } from '../passkeys/passkey-service';
import type { AuthenticationResponseJSON } from '../passkeys/webauthn';
import type { Proof } from '../sessions/session-service';
import { getDocumentClient, getStores } from './store-wiring';

let passkeyConfig: PasskeyConfig | undefined;
let passkeyDeps: PasskeyDeps | undefined;

/** The passkey settings. Throws `ConfigError`. */
function getPasskeyConfig(): PasskeyConfig {
  passkeyConfig ??= loadPasskeyConfig(process.env);
  return passkeyConfig;
}

/** The passkey flows' dependencies (with the users, for a proof's account check). */
export function getPasskeyDeps(): PasskeyDeps {
  if (!passkeyDeps) {
    const settings = getPasskeyConfig();
    const db = getDocumentClient();
    const { users, attempts } = getStores();
    passkeyDeps = Object.freeze({
      settings,
      passkeys: createDynamoPasskeyStore(db, settings.passkeysTable),
      challenges: createDynamoChallengeStore(db, settings.passkeyChallengesTable),
      attempts,
      users,
    });
  }
  return passkeyDeps;
}

/**
 * The proof of a passkey assertion for POST /login and /fresh-login. WebAuthn (@simplewebauthn/server
 * with its CBOR and ASN.1 code, most of those bundles) is imported here on the first passkey, not at
 * cold start: a password login never loads it (tests/unit/bundles.test.ts, `npm run bench`). The
 * import resolves to a chunk of the same build, so the code both paths use is not copied.
 */
export async function loadPasskeyProof(
  assertion: AuthenticationResponseJSON,
  purpose: 'step-up' | 'login',
  client: PasskeyClient,
): Promise<Proof> {
  const { passkeyProof } = await import('../sessions/passkey-sessions');
  return passkeyProof(getPasskeyDeps(), assertion, purpose, client);
}
