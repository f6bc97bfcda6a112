import { readRetryAfter } from '../../../client/src/retry-after';
import { ERROR_TABLE } from '../../../src/errors/error-table';

const NOW = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');

describe('reading Retry-After', () => {
  it('reads delay-seconds, as the API sends them (throttling’s fixed value, a lockout’s window)', () => {
    expect(readRetryAfter(String(ERROR_TABLE.ERR_THROTTLED.retryAfterSeconds), NOW)).toBe(1);
    expect(readRetryAfter('900', NOW)).toBe(900);
  });

  it('reads an HTTP-date against the given clock, a past one as 0', () => {
    expect(readRetryAfter('Sun, 06 Nov 1994 08:50:07 GMT', NOW)).toBe(30);
    expect(readRetryAfter('Sun, 06 Nov 1994 08:00:00 GMT', NOW)).toBe(0);
  });

  it('answers undefined for anything else', () => {
    for (const value of [null, '', '-1', '1.5', 'soon', 'Sunday, 06-Nov-94 08:49:37 GMT', '1e3']) {
      expect({ value, seconds: readRetryAfter(value, NOW) }).toEqual({ value, seconds: undefined });
    }
  });
});
