/**
 * A software WebAuthn authenticator for the tests: a real ES256 key (node:crypto), real
 * authenticatorData, clientDataJSON and attestationObject (CBOR through @simplewebauthn/server's own
 * isoCBOR), real signatures. What it returns is what a browser's `credential.toJSON()` gives, so the
 * server verifies it exactly as it would a phone's or a security key's; nothing is mocked.
 */
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array | string): string => Buffer.from(data).toString('base64url');

/** Authenticator data flags (WebAuthn §6.1). */
const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

export interface SoftAuthenticatorOptions {
  /** The RP ID the authenticator scopes its credential to (and hashes into authenticatorData). */
  readonly rpId?: string;
  /** The page origin the "browser" puts in clientDataJSON. */
  readonly origin?: string;
  /** Whether it verifies the user (the UV flag). */
  readonly userVerified?: boolean;
  /** Synced (backup eligible and backed up: BE and BS). */
  readonly backedUp?: boolean;
  /** Whether it keeps a signature counter (synced passkeys usually do not: always 0). */
  readonly counter?: boolean;
  /**
   * What the "browser" says of the page that asked being embedded in another origin's
   * (clientDataJSON `crossOrigin`): a boolean as browsers write it, or anything a forger might.
   */
  readonly crossOrigin?: unknown;
  /** A `topOrigin` member in clientDataJSON (the embedding page), when set. */
  readonly topOrigin?: string;
}

interface WebAuthnOptions {
  challenge: string;
  rp?: { id?: string };
  rpId?: string;
}

/** The credential itself: its id's length (WebAuthn allows up to 1023 bytes) and an RSA key instead of P-256. */
export interface SoftCredentialShape {
  readonly idBytes?: number;
  readonly rsaBits?: number;
}

export class SoftAuthenticator {
  readonly credentialId: string;
  private readonly privateKey: KeyObject;
  private readonly cosePublicKey: Uint8Array;
  private signCount = 0;
  readonly settings: Required<SoftAuthenticatorOptions>;

  constructor(options: SoftAuthenticatorOptions = {}, shape: SoftCredentialShape = {}) {
    this.credentialId = b64url(randomBytes(shape.idBytes ?? 16));
    this.settings = {
      rpId: 'localhost',
      origin: 'http://localhost:3000',
      userVerified: true,
      backedUp: false,
      counter: true,
      crossOrigin: false,
      topOrigin: '',
      ...options,
    };
    if (shape.rsaBits !== undefined) {
      const rsa = generateKeyPairSync('rsa', { modulusLength: shape.rsaBits });
      this.privateKey = rsa.privateKey;
      const { n, e } = rsa.publicKey.export({ format: 'jwk' });
      // COSE_Key (RFC 8230): kty RSA, alg RS256, n, e.
      this.cosePublicKey = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 3],
          [3, -257],
          [-1, new Uint8Array(Buffer.from(n!, 'base64url'))],
          [-2, new Uint8Array(Buffer.from(e!, 'base64url'))],
        ]),
      );
      return;
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    // COSE_Key (RFC 9053): kty EC2, alg ES256, crv P-256, x, y.
    this.cosePublicKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
  }

  private flags(extra = 0): number {
    const { userVerified, backedUp } = this.settings;
    return FLAG.UP | (userVerified ? FLAG.UV : 0) | (backedUp ? FLAG.BE | FLAG.BS : 0) | extra;
  }

  private authenticatorData(flags: number, attested?: Uint8Array): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.settings.counter ? this.signCount : 0);
    return Buffer.concat([sha256(this.settings.rpId), Buffer.from([flags]), counter, ...(attested ? [attested] : [])]);
  }

  private clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string): string {
    const { origin, crossOrigin, topOrigin } = this.settings;
    return JSON.stringify({ type, challenge, origin, crossOrigin, ...(topOrigin === '' ? {} : { topOrigin }) });
  }

  /** `navigator.credentials.create(...)` then `.toJSON()`, for the server's creation options. */
  create(options: WebAuthnOptions): Record<string, unknown> {
    const id = Buffer.from(this.credentialId, 'base64url');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(id.length);
    const attested = Buffer.concat([Buffer.alloc(16), length, id, this.cosePublicKey]);
    const authData = this.authenticatorData(this.flags(FLAG.AT), attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** `navigator.credentials.get(...)` then `.toJSON()`, for the server's request options. */
  get(options: WebAuthnOptions, overrides: { signCount?: number } = {}): Record<string, unknown> {
    this.signCount = overrides.signCount ?? this.signCount + 1;
    const authData = this.authenticatorData(this.flags());
    const clientDataJSON = this.clientData('webauthn.get', options.challenge);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey);
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: b64url('user-handle'),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
