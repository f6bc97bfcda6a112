/**
 * How a user authenticated, as tokens say it: `amr` (RFC 8176 method references) and `acr` (one of
 * this product's context classes, `ACR_VALUES`). A login or step-up decides it; a refresh carries it
 * forward unchanged, as it carries `auth_time`.
 */
import { ACR_VALUES, type Acr } from '../config/config';

/** The `amr` and `acr` of one authentication. */
export interface Authn {
  readonly amr: readonly string[];
  readonly acr: Acr;
}

/** A password check (RFC 8176 `pwd`). Also what a token without `acr` counts as (flask-jwt-extended's). */
export const PASSWORD_AUTHN: Authn = Object.freeze({ amr: Object.freeze(['pwd']), acr: ACR_VALUES.pwd });

/**
 * A user-verified passkey: `hwk` when its key cannot leave the authenticator, `swk` when the
 * authenticator says it is synced (backed up), plus `user` (the user was verified); phishing-resistant.
 */
export function passkeyAuthn(backedUp: boolean): Authn {
  return { amr: [backedUp ? 'swk' : 'hwk', 'user'], acr: ACR_VALUES.phr };
}

const LEVEL: Readonly<Record<Acr, number>> = { [ACR_VALUES.pwd]: 1, [ACR_VALUES.phr]: 2 };

/**
 * Whether a token's `acr` is at least `required`. No `acr` counts as the password; a value this
 * product does not issue meets nothing.
 */
export function meetsAcr(acr: string | undefined, required: Acr | undefined): boolean {
  if (required === undefined) return true;
  const level = acr === undefined ? LEVEL[ACR_VALUES.pwd] : (LEVEL as Readonly<Record<string, number>>)[acr];
  return level !== undefined && level >= LEVEL[required];
}

/** The `amr`/`acr` a verified token carries, the password's when it says nothing (a Flask token). */
export function authnOf(claims: { readonly amr?: readonly string[]; readonly acr?: string }): Authn {
  const acr = Object.values(ACR_VALUES).find((value) => value === claims.acr);
  return acr === undefined || claims.amr === undefined ? PASSWORD_AUTHN : { amr: claims.amr, acr };
}
