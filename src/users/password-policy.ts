/**
 * What a new password must be (NIST SP 800-63B §3.1.1.2): long enough, not absurdly long, not the
 * username, not the password it replaces, and not one of the common passwords attackers try
 * first. No composition rules (digits, symbols): NIST advises against them.
 */
import { dictionary } from '@zxcvbn-ts/language-common';
import { WeakPasswordError } from '../errors/errors';
import { isWellFormedText } from '../platform/text';
import { hashedForm } from './password';

const MIN_PASSWORD_LENGTH = 8;
/** The longest password anywhere: the policy, a login, a fresh login, current_password, the users command. */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * A password's length as every rule and limit counts it: the characters (code points, not UTF-16
 * units) of the form that is hashed, so what the policy accepts a login accepts too.
 */
export function passwordLength(password: string): number {
  return [...hashedForm(password)].length;
}

/** ~49,000 common passwords, lower-case, from zxcvbn-ts (ranked from real breach corpora); built on first use. */
let common: ReadonlySet<string> | undefined;
function isCommon(password: string): boolean {
  common ??= new Set(dictionary['passwords-common']);
  return common.has(password.toLowerCase());
}

/** The first rule `password` breaks, as a sentence for the user, or undefined when it is acceptable. */
export function passwordProblem(password: string, context: { username: string; currentPassword?: string }): string | undefined {
  // Before anything reads it: a lone surrogate would hash as U+FFFD, whichever it was.
  if (!isWellFormedText(password)) return 'Password must be well-formed Unicode text (no unpaired surrogates, no U+FFFD)';
  // Every rule reads the form that is hashed: "ｐａｓｓｗｏｒｄ１２３" is password123 to scrypt, so to the rules.
  const hashed = hashedForm(password);
  const length = passwordLength(password);
  if (length < MIN_PASSWORD_LENGTH) return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `Password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (hashed.toLowerCase() === hashedForm(context.username).toLowerCase()) return 'Password must not be the username';
  if (context.currentPassword !== undefined && hashed === hashedForm(context.currentPassword))
    return 'Password must differ from the current one';
  if (isCommon(hashed)) return 'Password is too common; choose a less predictable one';
  return undefined;
}

/** Throws `WeakPasswordError` (ERR_WEAK_PASSWORD) naming the rule `password` breaks. */
export function checkNewPassword(password: string, context: { username: string; currentPassword?: string }): void {
  const problem = passwordProblem(password, context);
  if (problem !== undefined) throw new WeakPasswordError(problem);
}
