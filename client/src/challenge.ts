/**
 * Reading a Bearer challenge (RFC 6750 §3, RFC 9470 §3) out of `WWW-Authenticate`, in the header
 * syntax of RFC 9110 §11.6.1: challenges separated by commas, each a scheme and its
 * `name=value` parameters, a value a token or a quoted string with backslash escapes.
 */

/** The parameters of the Bearer challenge the client acts on. */
export interface BearerChallenge {
  /** `error`: `invalid_token`, `insufficient_user_authentication`, … */
  readonly error: string | undefined;
  /** `acr_values`, split on spaces. */
  readonly acrValues: readonly string[];
  /** `max_age`, seconds, when it is a non-negative integer. */
  readonly maxAge: number | undefined;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/** Every challenge in `header`, scheme lower-cased, parameter names lower-cased. */
function parseChallenges(header: string): { scheme: string; params: Map<string, string> }[] {
  const challenges: { scheme: string; params: Map<string, string> }[] = [];
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < header.length && TCHAR.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const value = () => {
    if (header[i] !== '"') return token();
    let text = '';
    for (i++; i < header.length && header[i] !== '"'; i++) text += header[i] === '\\' ? (header[++i] ?? '') : header[i];
    i++;
    return text;
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const scheme = token();
    if (scheme === '') {
      i++; // not a token: skip the character and look for the next challenge
      continue;
    }
    const params = new Map<string, string>();
    challenges.push({ scheme: scheme.toLowerCase(), params });
    for (;;) {
      skip(/[\s,]/);
      const start = i;
      const name = token();
      skip(/\s/);
      if (name === '' || header[i] !== '=') {
        i = start; // the next challenge's scheme (or a token68, which Bearer does not use)
        break;
      }
      i++;
      skip(/\s/);
      params.set(name.toLowerCase(), value());
    }
  }
  return challenges;
}

/** The Bearer challenge of a `WWW-Authenticate` value, or undefined if it has none. */
export function readBearerChallenge(header: string | null | undefined): BearerChallenge | undefined {
  if (header === null || header === undefined) return undefined;
  const bearer = parseChallenges(header).find((challenge) => challenge.scheme === 'bearer');
  if (!bearer) return undefined;
  const maxAge = bearer.params.get('max_age');
  return {
    error: bearer.params.get('error'),
    acrValues: splitAcrValues(bearer.params.get('acr_values')),
    maxAge: maxAge !== undefined && /^\d+$/.test(maxAge) ? Number(maxAge) : undefined,
  };
}

/** `acr_values` as a list: space-separated (RFC 9470 §3), empty for none. */
export function splitAcrValues(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(' ').filter((part) => part !== '');
}
