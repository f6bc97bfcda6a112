/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date counted from `nowMs`.
 * Returns whole seconds to wait (0 for a date already past), or undefined when the value is neither.
 */
export function readRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // An IMF-fixdate, as RFC 9110 requires senders to write it ("Sun, 06 Nov 1994 08:49:37 GMT").
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
