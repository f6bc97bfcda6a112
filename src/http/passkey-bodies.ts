/**
 * The passkey request bodies, checked field by field before any WebAuthn code sees them:
 * `{"credential": <credential.toJSON()>, "name"?}` to register, `{"passkey": <credential.toJSON()>}`
 * to log in or step up. Sizes are bounded here (and the whole body by MAX_BODY_BYTES).
 */
import { BadRequestError, PasskeyNotFoundError } from '../errors/errors';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../passkeys/webauthn';

const B64URL = /^[A-Za-z0-9_-]*$/;
const MAX_NAME = 64;
/**
 * A credential id of at most 1023 bytes, as WebAuthn requires a relying party to check when it
 * registers one (§7.1): 1364 base64url characters. A 1024-byte id is 1366.
 */
const MAX_ID_CHARS = 1364;

/**
 * The body limit of the routes that take a passkey (registration, login, step-up), when
 * MAX_BODY_BYTES is smaller: the largest valid registration fits, every field at its cap below (a
 * 1023-byte credential id is 1364 characters, as id and rawId; the attestation object holds it
 * again with the public key, 4096 characters; clientDataJSON 2048), with room for the transports,
 * a name written as escapes and extension results.
 */
export const PASSKEY_BODY_BYTES = 16_384;
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

class Fields {
  readonly problems: string[] = [];

  /** `where`: the body's field that holds the credential (`credential` or `passkey`). */
  constructor(private readonly where: string) {}

  /** How a message names a field: `credential`, `credential.response.clientDataJSON`. */
  path(name: string): string {
    return name === '' ? this.where : `${this.where}.${name}`;
  }

  /** The object, or undefined (reported): the fields inside a wrong one are not reported again. */
  object(value: unknown, name: string): Record<string, unknown> | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    this.problems.push(`"${this.path(name)}" must be an object`);
    return undefined;
  }

  /** A base64url string of 1 to `max` characters (`optional`: or absent). */
  b64url(value: unknown, name: string, max: number, optional = false): string | undefined {
    if (value === undefined && optional) return undefined;
    if (typeof value === 'string' && value.length > 0 && value.length <= max && B64URL.test(value)) return value;
    this.problems.push(`"${this.path(name)}" must be base64url, 1-${max} characters`);
    return undefined;
  }
}

/** The common part of both credential forms: id, rawId (the same), type, extension results. */
function credentialBase(f: Fields, raw: Record<string, unknown>) {
  const id = f.b64url(raw.id, 'id', MAX_ID_CHARS);
  if (raw.rawId !== raw.id) f.problems.push(`"${f.path('rawId')}" must equal "${f.path('id')}"`);
  if (raw.type !== 'public-key') f.problems.push(`"${f.path('type')}" must be "public-key"`);
  const clientExtensionResults =
    raw.clientExtensionResults === undefined ? {} : (f.object(raw.clientExtensionResults, 'clientExtensionResults') ?? {});
  const attachment = raw.authenticatorAttachment;
  if (attachment !== undefined && attachment !== null && attachment !== 'platform' && attachment !== 'cross-platform')
    f.problems.push(`"${f.path('authenticatorAttachment')}" must be platform or cross-platform`);
  return {
    id,
    clientExtensionResults,
    attachment: typeof attachment === 'string' ? (attachment as 'platform' | 'cross-platform') : undefined,
  };
}

function fail(f: Fields, what: string): never {
  throw new BadRequestError('ERR_BODY_INVALID', `${what}: ${f.problems.join('; ')}`);
}

/** `{"passkey": <assertion>}`. Error code: ERR_BODY_INVALID. */
export function readAssertion(body: Record<string, unknown>): AuthenticationResponseJSON {
  const f = new Fields('passkey');
  const raw = f.object(body.passkey, '');
  // Without the object, every field inside it would be reported missing too: say the one thing.
  if (!raw) fail(f, 'Invalid passkey assertion');
  const { id, clientExtensionResults, attachment } = credentialBase(f, raw);
  const response = f.object(raw.response, 'response');
  const clientDataJSON = response && f.b64url(response.clientDataJSON, 'response.clientDataJSON', 2048);
  const authenticatorData = response && f.b64url(response.authenticatorData, 'response.authenticatorData', 2048);
  const signature = response && f.b64url(response.signature, 'response.signature', 1024);
  const userHandle =
    response === undefined || response.userHandle === null ? undefined : f.b64url(response.userHandle, 'response.userHandle', 128, true);
  if (f.problems.length > 0 || !id || !clientDataJSON || !authenticatorData || !signature) fail(f, 'Invalid passkey assertion');
  return {
    id,
    rawId: id,
    type: 'public-key',
    response: { clientDataJSON, authenticatorData, signature, ...(userHandle ? { userHandle } : {}) },
    clientExtensionResults,
    ...(attachment ? { authenticatorAttachment: attachment } : {}),
  };
}

/** `{"credential": <attestation>, "name"?}`. Error code: ERR_BODY_INVALID. */
export function readRegistration(body: Record<string, unknown>): { credential: RegistrationResponseJSON; name: string | undefined } {
  const f = new Fields('credential');
  const raw = f.object(body.credential, '');
  // Without the object, every field inside it would be reported missing too: say the one thing.
  if (!raw) fail(f, 'Invalid passkey registration');
  const { id, clientExtensionResults, attachment } = credentialBase(f, raw);
  const response = f.object(raw.response, 'response');
  const clientDataJSON = response && f.b64url(response.clientDataJSON, 'response.clientDataJSON', 2048);
  const attestationObject = response && f.b64url(response.attestationObject, 'response.attestationObject', 4096);
  const transports = response?.transports === undefined ? [] : response.transports;
  if (!Array.isArray(transports) || transports.length > 8 || !transports.every((t) => typeof t === 'string' && TRANSPORTS.has(t)))
    f.problems.push(`"${f.path('response.transports')}" must be a list of WebAuthn transports`);
  // The name as it is stored: trimmed, counted in characters (an emoji is one).
  const name = typeof body.name === 'string' ? body.name.trim() : body.name;
  if (name !== undefined && (typeof name !== 'string' || name === '' || [...name].length > MAX_NAME || /[\p{Cc}\p{Cf}]/u.test(name)))
    f.problems.push(`"name" must be 1-${MAX_NAME} printable characters`);
  if (f.problems.length > 0 || !id || !clientDataJSON || !attestationObject) fail(f, 'Invalid passkey registration');
  return {
    credential: {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON,
        attestationObject,
        ...((transports as string[]).length > 0 ? { transports: transports as RegistrationResponseJSON['response']['transports'] } : {}),
      },
      clientExtensionResults,
      ...(attachment ? { authenticatorAttachment: attachment } : {}),
    },
    name: typeof name === 'string' ? name : undefined,
  };
}

/** The `{id}` of DELETE /me/passkeys/{id}: a credential id (base64url); no such id is anyone's. Error code: ERR_PASSKEY_NOT_FOUND. */
export function readPasskeyId(pathParameters: Record<string, string | undefined> | null): string {
  const id = pathParameters?.id;
  if (typeof id !== 'string' || id === '' || id.length > MAX_ID_CHARS || !B64URL.test(id)) throw new PasskeyNotFoundError();
  return id;
}
