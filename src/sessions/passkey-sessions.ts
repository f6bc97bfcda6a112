/**
 * A passkey as the proof of a login or a step-up: the session flows of `session-service.ts`, with
 * `amr`/`acr` saying a user-verified passkey (phishing-resistant) was used.
 */
import { PasskeyRejectedError } from '../errors/errors';
import { provePasskey, type PasskeyClient, type PasskeyDeps } from '../passkeys/passkey-service';
import type { AuthenticationResponseJSON } from '../passkeys/webauthn';
import { passkeyAuthn } from '../tokens/authn';
import type { UserStore } from '../users/user-store';
import type { Proof } from './session-service';

/**
 * The proof of an assertion: `step-up` takes only a challenge handed out to the passkey's owner,
 * `login` one handed out to nobody. A disabled user's passkey proves nothing, nor does one registered
 * before its user's row was made (an earlier account of that name). Error codes: those of
 * `provePasskey`, ERR_PASSKEY_REJECTED (user disabled or gone).
 */
export function passkeyProof(
  deps: PasskeyDeps & { readonly users: UserStore },
  assertion: AuthenticationResponseJSON,
  purpose: 'step-up' | 'login',
  client: PasskeyClient,
): Proof {
  return async (now) => {
    const { username, backedUp, registeredAt } = await provePasskey(deps, assertion, purpose, client, now);
    const user = await deps.users.findUser(username);
    if (!user || user.disabled) throw new PasskeyRejectedError('user disabled or removed');
    if (registeredAt < user.createdAt) throw new PasskeyRejectedError('passkey older than its account');
    return { user, authn: passkeyAuthn(backedUp) };
  };
}
