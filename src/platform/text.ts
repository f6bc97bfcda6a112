/**
 * The one rule for text a person types (passwords, e-mail addresses, passkey names, usernames): it
 * must be well-formed UTF-16. A lone surrogate (a JSON `\ud800` escape with no partner) is no
 * character: every encoder turns it into U+FFFD, so eight different ones would hash, compare and
 * store as one string, and some libraries throw on it (validator's `isEmail`: URIError). It is
 * refused before any library sees it.
 */

/** Unicode's own category of surrogate code points: with the `u` flag, only an unpaired one matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** True when `text` has no lone surrogate. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}
