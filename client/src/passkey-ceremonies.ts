/**
 * The browser's WebAuthn ceremonies through `@simplewebauthn/browser`, loaded the first time a
 * passkey is used: an app whose users never touch one never downloads it.
 */
import type * as WebAuthn from '@simplewebauthn/browser';
import { PasskeyCeremonyError } from './errors.ts';
import type { AuthenticationCredentialJSON, PasskeyCeremonies, RegistrationCredentialJSON } from './types.ts';

/** `@simplewebauthn/browser`'s ceremonies. Error code: ERR_PASSKEY_CEREMONY (it could not be loaded). */
export async function loadPasskeyCeremonies(): Promise<PasskeyCeremonies> {
  let webauthn: typeof WebAuthn;
  try {
    webauthn = await import('@simplewebauthn/browser');
  } catch (err) {
    throw new PasskeyCeremonyError(err);
  }
  // The options are the API's, which @simplewebauthn/server made for this very library; its
  // answers are the WebAuthn JSON the API's routes take (their extension results are typed by the
  // DOM's interfaces, ours as any object), so both sides are the same JSON under two type names.
  return {
    startAuthentication: async ({ optionsJSON }) =>
      (await webauthn.startAuthentication({ optionsJSON })) as unknown as AuthenticationCredentialJSON,
    startRegistration: async ({ optionsJSON }) =>
      (await webauthn.startRegistration({
        optionsJSON: optionsJSON as unknown as WebAuthn.PublicKeyCredentialCreationOptionsJSON,
      })) as unknown as RegistrationCredentialJSON,
  };
}
