/** What a username may be: letters, digits and `. _ @ + -`, 1 to 256 characters. */
const USERNAME_PATTERN = /^[A-Za-z0-9._@+-]{1,256}$/;

/** True for a username the users command could have created. */
export function isWellFormedUsername(username: string): boolean {
  return USERNAME_PATTERN.test(username);
}
