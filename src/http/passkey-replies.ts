import type { PasskeyRecord } from '../passkeys/passkey-store';
import type { JsonReply } from './responses';

/** Epoch seconds as an RFC 3339 UTC time. */
const isoTime = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** A passkey as the API shows it: never its public key or counter. */
function passkeyView(record: PasskeyRecord) {
  return {
    id: record.credentialId,
    name: record.name,
    created_at: isoTime(record.createdAt),
    last_used_at: record.lastUsedAt === undefined ? null : isoTime(record.lastUsedAt),
    // The authenticator says the key is synced (backup state, e.g. a password manager or cloud keychain).
    backed_up: record.backedUp,
  };
}

/** WebAuthn options (creation or request) as `@simplewebauthn/server` made them: never cached, the challenge is one-time. */
export function optionsReply(username: string | undefined, options: object): JsonReply {
  return { status: 200, body: { ...options }, noStore: true, ...(username === undefined ? {} : { identity: username }) };
}

/** 201 `{"passkey": {...}}` for a passkey just registered. */
export function passkeyAddedReply(record: PasskeyRecord): JsonReply {
  return { status: 201, body: { passkey: passkeyView(record) }, identity: record.username, noStore: true };
}

/** `{"passkeys": [...]}`, oldest first. */
export function passkeysReply(username: string, records: readonly PasskeyRecord[]): JsonReply {
  return { status: 200, body: { passkeys: records.map(passkeyView) }, identity: username, noStore: true };
}

/** `{"msg": "Passkey removed"}`. */
export function passkeyRemovedReply(username: string): JsonReply {
  return { status: 200, body: { msg: 'Passkey removed' }, identity: username };
}
