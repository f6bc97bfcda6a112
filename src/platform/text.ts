/**
 * The one rule for text a person types (passwords, e-mail addresses, passkey names, usernames): it
 * must be well-formed UTF-16. A lone surrogate (a JSON `\ud800` escape with no partner) is no
 * character: every encoder turns it into U+FFFD, so eight different ones would hash, compare and
 * store as one string, and some libraries throw on it (validator's `isEmail`: URIError). It is
 * refused before any library sees it. So is U+FFFD itself: it is what a decoder puts where the bytes
 * it was sent were not UTF-8 (API Gateway and Node hand a body over as text already decoded), so
 * different bytes would again be one password.
 */

/** Unicode's category of surrogate code points (with the `u` flag only an unpaired one matches), and U+FFFD. */
const NOT_TEXT = /[\p{Surrogate}\uFFFD]/u;

/** True when `text` has no lone surrogate and no replacement character. */
export function isWellFormedText(text: string): boolean {
  return !NOT_TEXT.test(text);
}
