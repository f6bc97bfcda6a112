/**
 * The passkey flows: register one (options, then the attestation), list and remove them, and
 * prove a user with one (options, then the assertion) for a step-up or a login. Results are
 * domain values; `src/http/passkey-replies.ts` gives them their wire shape, and the session flows
 * (`src/sessions/passkey-sessions.ts`) turn a proof into tokens.
 */
import { createHash } from 'node:crypto';
import type { PasskeyConfig, RelyingParty } from '../config/config';
import {
  ChallengeInvalidError,
  PasskeyNotFoundError,
  PasskeyRegistrationError,
  PasskeyRejectedError,
  PasskeysNotConfiguredError,
  TooManyAttemptsError,
} from '../errors/errors';
import { logger } from '../platform/logger';
import { accountFor, readableAccount, writeRefusal, type AccountWriter } from '../users/account-writes';
import { auditSignIn, type LoginAttempts } from '../users/login-attempts';
import type { UserStore } from '../users/user-store';
import type { ChallengePurpose, ChallengeStore } from './challenge-store';
import { MAX_PASSKEYS_PER_USER, type PasskeyRecord, type PasskeyStore } from './passkey-store';
import {
  authenticationOptions,
  clientChallenge,
  newChallenge,
  registrationOptions,
  verifyAssertion,
  verifyRegistration,
  type AuthenticationResponseJSON,
  type CreationOptions,
  type RegistrationResponseJSON,
  type RequestOptions,
} from './webauthn';

/** What the passkey flows work with. */
export interface PasskeyDeps {
  readonly settings: Pick<PasskeyConfig, 'relyingParty' | 'challengeTtlSeconds'>;
  readonly passkeys: PasskeyStore;
  readonly challenges: ChallengeStore;
  readonly attempts: LoginAttempts;
  /** The accounts: a registration takes a passkey slot on the user's row. */
  readonly users: UserStore;
}

/** Who is asking, for the lockout and the audit log. */
export interface PasskeyClient {
  readonly ip: string;
  readonly userAgent?: string;
}

/** The relying party, or the refusal that names the variable a deployment must set. */
function relyingParty(deps: PasskeyDeps): RelyingParty {
  const rp = deps.settings.relyingParty;
  if ('missing' in rp) throw new PasskeysNotConfiguredError(rp.missing);
  return rp;
}

/** A credential id as the logs may name it: a short hash, never the id itself. */
function passkeyRef(credentialId: string): string {
  return createHash('sha256').update(credentialId).digest('base64url').slice(0, 12);
}

async function issueChallenge(deps: PasskeyDeps, purpose: ChallengePurpose, username: string | undefined, now: number): Promise<string> {
  const challenge = newChallenge();
  await deps.challenges.issue(challenge, purpose, username, now + deps.settings.challengeTtlSeconds);
  return challenge;
}

/**
 * POST /me/passkeys/options: creation options for the writer's account, excluding the passkeys it
 * has; nothing is stored for an account that does not take the writer's writes.
 * Error codes: ERR_PASSKEYS_NOT_CONFIGURED, ERR_PASSKEY_REGISTRATION_REJECTED (too many passkeys),
 * ERR_ACCOUNT_NOT_FOUND, ERR_SESSION_ENDED, ERR_STORE_UNAVAILABLE.
 */
export async function startRegistration(deps: PasskeyDeps, writer: AccountWriter, now: number): Promise<CreationOptions> {
  const rp = relyingParty(deps);
  const { username } = writer;
  const user = await accountFor(deps.users, writer);
  const existing = await deps.passkeys.listFor(username);
  if (Math.max(existing.length, user.passkeyCount ?? 0) >= MAX_PASSKEYS_PER_USER) {
    throw new PasskeyRegistrationError(`at most ${MAX_PASSKEYS_PER_USER} passkeys`);
  }
  const challenge = await issueChallenge(deps, 'register', username, now);
  return registrationOptions(rp, username, challenge, existing.map(descriptor), deps.settings.challengeTtlSeconds);
}

/**
 * POST /me/passkeys: verifies the new passkey against the challenge handed out to the writer
 * (consumed once), takes a passkey slot on the user's row (one conditional write: the account takes
 * the writer's writes and has a slot free, so parallel registrations never pass the limit), then
 * stores the passkey. Nothing is written for a response that fails verification or an account that
 * refuses the writer; a registration stopped after its slot leaves the slot taken and nothing usable.
 * Error codes: ERR_PASSKEYS_NOT_CONFIGURED, ERR_PASSKEY_REGISTRATION_REJECTED (also: too many
 * passkeys), ERR_CHALLENGE_INVALID, ERR_ACCOUNT_NOT_FOUND, ERR_SESSION_ENDED, ERR_STORE_UNAVAILABLE.
 */
export async function finishRegistration(
  deps: PasskeyDeps,
  writer: AccountWriter,
  input: { credential: RegistrationResponseJSON; name: string | undefined },
  client: PasskeyClient,
  now: number,
): Promise<PasskeyRecord> {
  const rp = relyingParty(deps);
  const { username } = writer;
  const client_ = clientChallenge(input.credential.response.clientDataJSON);
  if (!client_ || client_.type !== 'webauthn.create')
    throw refusedRegistration(username, client, 'clientDataJSON unreadable or not a creation');
  if (client_.crossOrigin) throw refusedRegistration(username, client, 'cross-origin response');
  const verified = await verifyRegistration(rp, input.credential, client_.challenge);
  if (!verified.ok) throw refusedRegistration(username, client, verified.reason);
  const user = await accountFor(deps.users, writer);
  if (!(await deps.challenges.consume(client_.challenge, 'register', username, now))) {
    auditPasskey('passkey registration refused', username, client, { reason: 'challenge' });
    throw new ChallengeInvalidError();
  }
  // A row from before slots were counted starts from the passkeys it has.
  if (user.passkeyCount === undefined) await deps.users.startPasskeyCount(username, (await deps.passkeys.listFor(username)).length);
  if (!(await deps.users.takePasskeySlot(username, MAX_PASSKEYS_PER_USER, writer.sinceMs))) {
    throw (await writeRefusal(deps.users, writer)) ?? refusedRegistration(username, client, `at most ${MAX_PASSKEYS_PER_USER} passkeys`);
  }
  const { credential } = verified;
  const record: PasskeyRecord = {
    credentialId: credential.id,
    username,
    publicKey: credential.publicKey,
    counter: credential.counter,
    ...(credential.transports ? { transports: credential.transports } : {}),
    backedUp: credential.backedUp,
    deviceType: credential.deviceType,
    aaguid: credential.aaguid,
    name: input.name ?? defaultName(credential.backedUp, now),
    createdAt: now,
  };
  if (!(await deps.passkeys.add(record))) {
    await deps.users.releasePasskeySlot(username);
    throw refusedRegistration(username, client, 'credential id already registered');
  }
  auditPasskey('passkey registered', username, client, { passkey: passkeyRef(record.credentialId), backedUp: record.backedUp });
  return record;
}

/**
 * GET /me/passkeys: the passkeys of the caller's account, shown only to a token of it
 * (`readableAccount`: not to a token of an earlier account of the same name).
 * Error codes: ERR_ACCOUNT_NOT_FOUND, ERR_SESSION_ENDED, ERR_STORE_UNAVAILABLE.
 */
export async function listPasskeys(
  deps: Pick<PasskeyDeps, 'passkeys' | 'users'>,
  caller: { readonly username: string; readonly issuedAt?: number },
): Promise<PasskeyRecord[]> {
  readableAccount(await deps.users.findUser(caller.username), caller.issuedAt);
  return deps.passkeys.listFor(caller.username);
}

/**
 * DELETE /me/passkeys/{id}: removes one of the writer's passkeys; someone else's is not found. Only
 * for an account that takes the writer's writes (read consistently first): a token of a disabled
 * account, or of an earlier account of the same name, must not remove the passkeys of the account
 * the name has now.
 * Error codes: ERR_PASSKEY_NOT_FOUND, ERR_ACCOUNT_NOT_FOUND, ERR_SESSION_ENDED, ERR_STORE_UNAVAILABLE.
 */
export async function removePasskey(
  deps: Pick<PasskeyDeps, 'passkeys' | 'users'>,
  writer: AccountWriter,
  credentialId: string,
  client: PasskeyClient,
): Promise<void> {
  const { username } = writer;
  await accountFor(deps.users, writer);
  if (!(await deps.passkeys.remove(credentialId, username))) throw new PasskeyNotFoundError();
  // Stopped between the two writes, the slot stays taken: one fewer passkey may be added, none more.
  await deps.users.releasePasskeySlot(username);
  auditPasskey('passkey removed', username, client, { passkey: passkeyRef(credentialId) });
}

/**
 * Request options for a step-up by `username` (its passkeys allowed) or, without a username, for a
 * login with a discoverable passkey. Error codes: ERR_PASSKEYS_NOT_CONFIGURED, ERR_STORE_UNAVAILABLE.
 */
export async function startAssertion(deps: PasskeyDeps, username: string | undefined, now: number): Promise<RequestOptions> {
  const rp = relyingParty(deps);
  const allow = username === undefined ? [] : (await deps.passkeys.listFor(username)).map(descriptor);
  const challenge = await issueChallenge(deps, username === undefined ? 'login' : 'step-up', username, now);
  return authenticationOptions(rp, challenge, allow, deps.settings.challengeTtlSeconds);
}

/** Who a passkey proved, whether its key is synced (for `amr`), and when it was registered. */
export interface PasskeyProof {
  readonly username: string;
  readonly backedUp: boolean;
  /** Epoch seconds: a passkey older than its user's row belongs to an earlier account of that name. */
  readonly registeredAt: number;
}

/**
 * Proves a user with an assertion: finds the passkey (an unknown one counts against the address
 * alone), counts the attempt against its owner's allowance (per address and per user, like a password), verifies origin, RP ID, user verification
 * and signature, consumes the challenge (`step-up`: handed out to that user; `login`: to nobody in
 * particular), refuses a signature counter that went back (audited), and records the use.
 * A failure writes nothing but the attempt. Error codes: ERR_PASSKEYS_NOT_CONFIGURED,
 * ERR_PASSKEY_REJECTED, ERR_CHALLENGE_INVALID, ERR_TOO_MANY_ATTEMPTS, ERR_STORE_UNAVAILABLE.
 */
export async function provePasskey(
  deps: PasskeyDeps,
  assertion: AuthenticationResponseJSON,
  purpose: 'step-up' | 'login',
  client: PasskeyClient,
  now: number,
): Promise<PasskeyProof> {
  const rp = relyingParty(deps);
  const data = clientChallenge(assertion.response.clientDataJSON);
  if (!data || data.type !== 'webauthn.get') throw refused(undefined, client, 'clientDataJSON unreadable or not an assertion');
  if (data.crossOrigin) throw refused(undefined, client, 'cross-origin response');
  const stored = await deps.passkeys.find(assertion.id);
  if (!stored) {
    // No owner to count it against: the address pays, so one address cannot probe credential ids
    // (or spend lookups) without limit.
    await auditLocked(undefined, client, () => deps.attempts.reserveForAddress(client.ip, now));
    throw refused(undefined, client, 'unknown passkey');
  }
  const source = { username: stored.username, ip: client.ip };
  await auditLocked(stored.username, client, () => deps.attempts.reserve(source, now));
  const verified = await verifyAssertion(rp, assertion, data.challenge, {
    id: stored.credentialId,
    publicKey: stored.publicKey,
    ...(stored.transports ? { transports: stored.transports } : {}),
  });
  if (!verified.ok) throw refused(stored, client, verified.reason);
  const username = purpose === 'step-up' ? stored.username : undefined;
  if (!(await deps.challenges.consume(data.challenge, purpose, username, now))) {
    auditPasskey(`passkey ${purpose} refused`, stored.username, client, { passkey: passkeyRef(stored.credentialId), reason: 'challenge' });
    throw new ChallengeInvalidError();
  }
  // On a fresh challenge, a counter that does not move forward (when either side uses one) means
  // two copies of the key: a clone. Refused and audited.
  if ((verified.newCounter > 0 || stored.counter > 0) && verified.newCounter <= stored.counter) {
    auditPasskey('passkey counter regressed', stored.username, client, {
      passkey: passkeyRef(stored.credentialId),
      storedCounter: stored.counter,
      presentedCounter: verified.newCounter,
    });
    throw new PasskeyRejectedError('signature counter regressed');
  }
  const recorded = await deps.passkeys.recordUse(stored.credentialId, {
    expected: stored.counter,
    counter: verified.newCounter,
    backedUp: verified.backedUp,
    now,
  });
  if (!recorded) throw refused(stored, client, 'used concurrently or removed');
  await deps.attempts.clear(source, now);
  return { username: stored.username, backedUp: verified.backedUp, registeredAt: stored.createdAt };
}

function descriptor(record: PasskeyRecord): { id: string; transports?: readonly string[] } {
  return record.transports ? { id: record.credentialId, transports: record.transports } : { id: record.credentialId };
}

function defaultName(backedUp: boolean, now: number): string {
  return `${backedUp ? 'Synced passkey' : 'Passkey'} added ${new Date(now * 1000).toISOString().slice(0, 10)}`;
}

/** An audit line: who, from where, what; never a credential, a signature or a challenge. Refusals are warnings. */
function auditPasskey(message: string, username: string | undefined, client: PasskeyClient, extra: Record<string, unknown>): void {
  const line = { audit: true, username: username ?? '<unknown>', sourceIp: client.ip, userAgent: client.userAgent, ...extra };
  if (/refused|regressed/.test(message)) logger.warn(message, line);
  else logger.info(message, line);
}

/** Takes an attempt from the allowance; a refusal (locked out) writes the audit line a locked password login writes. */
async function auditLocked(username: string | undefined, client: PasskeyClient, reserve: () => Promise<void>): Promise<void> {
  try {
    await reserve();
  } catch (err) {
    if (err instanceof TooManyAttemptsError) {
      auditSignIn(
        'login locked',
        err.code,
        { username: username ?? '<unknown>', ip: client.ip, userAgent: client.userAgent },
        { method: 'passkey' },
      );
    }
    throw err;
  }
}

function refused(stored: PasskeyRecord | undefined, client: PasskeyClient, reason: string): PasskeyRejectedError {
  auditPasskey('passkey refused', stored?.username, client, { ...(stored ? { passkey: passkeyRef(stored.credentialId) } : {}), reason });
  return new PasskeyRejectedError(reason);
}

function refusedRegistration(username: string, client: PasskeyClient, reason: string): PasskeyRegistrationError {
  auditPasskey('passkey registration refused', username, client, { reason });
  return new PasskeyRegistrationError(reason);
}
