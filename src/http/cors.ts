import type { CorsPolicy } from '../config/config';

/** Headers a browser script may read on an answer: the challenge, and when to retry. */
const EXPOSED = 'WWW-Authenticate, Retry-After';

/**
 * The CORS headers of one answer. With `*`, any origin may read it (never with credentials).
 * With a list, the request's `Origin` is echoed only when listed, with `Vary: Origin` always (so
 * a cache never hands one origin's answer to another), and credentials allowed in cookie modes.
 */
export function corsHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  if (policy.origins === '*') return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED };
  if (origin === undefined || !policy.origins.includes(origin)) return { Vary: 'Origin' };
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': origin,
    Vary: 'Origin',
    'Access-Control-Expose-Headers': EXPOSED,
  };
  if (policy.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
  return headers;
}
