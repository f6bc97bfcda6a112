/**
 * Cold-start wiring of the passkey side: the WebAuthn settings (checked when the function loads, so
 * a malformed WEBAUTHN_RP_ID or WEBAUTHN_ORIGINS stops it, naming the variable) and the passkey and
 * challenge stores over the function's one DynamoDB client. Only the functions that take passkeys
 * import this file; the authorizers never do.
 */
import { loadPasskeyConfig, type PasskeyConfig } from '../config/config';
import { createDynamoChallengeStore } from '../passkeys/challenge-store';
import { createDynamoPasskeyStore } from '../passkeys/passkey-store';
import type { PasskeyDeps } from '../passkeys/passkey-service';
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
