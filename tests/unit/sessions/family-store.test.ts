import { loggedInAfter } from '../../../src/sessions/family-store';

// A user's revocation clock (ms) against a session's login: only a login strictly after it lives on.
const CLOCK_MS = 1_800_000_000_500;

describe('loggedInAfter', () => {
  it('compares a login recorded in milliseconds strictly, to the millisecond', () => {
    expect(loggedInAfter({ createdAt: 1_800_000_000, createdAtMs: CLOCK_MS + 1 }, CLOCK_MS)).toBe(true);
    expect(loggedInAfter({ createdAt: 1_800_000_000, createdAtMs: CLOCK_MS }, CLOCK_MS)).toBe(false);
    expect(loggedInAfter({ createdAt: 1_800_000_001, createdAtMs: CLOCK_MS - 1 }, CLOCK_MS)).toBe(false);
  });

  it('compares an older row without milliseconds by whole seconds, strictly', () => {
    expect(loggedInAfter({ createdAt: 1_800_000_001 }, CLOCK_MS)).toBe(true);
    // The same second as the clock: the login may have come before it, so it does not count.
    expect(loggedInAfter({ createdAt: 1_800_000_000 }, CLOCK_MS)).toBe(false);
    expect(loggedInAfter({ createdAt: 1_799_999_999 }, CLOCK_MS)).toBe(false);
  });

  it('lets a later password proof inside the session count as its login, strictly after the clock', () => {
    const old = { createdAt: 1_700_000_000, createdAtMs: 1_700_000_000_000 };
    expect(loggedInAfter({ ...old, reauthAtMs: CLOCK_MS + 1 }, CLOCK_MS)).toBe(true);
    expect(loggedInAfter({ ...old, reauthAtMs: CLOCK_MS }, CLOCK_MS)).toBe(false);
    expect(loggedInAfter({ ...old, reauthAtMs: CLOCK_MS - 1 }, CLOCK_MS)).toBe(false);
    // A proof before the clock takes nothing away from a login after it.
    expect(loggedInAfter({ createdAt: 1_800_000_001, createdAtMs: CLOCK_MS + 1, reauthAtMs: CLOCK_MS - 1 }, CLOCK_MS)).toBe(true);
  });
});
