/**
 * Fakes `Date` only, for hand clocks in tests that talk to a real database: the AWS SDK's own
 * timers, microtasks and `performance` keep running. Move it with `jest.setSystemTime`.
 */
export function fakeDateOnly(): void {
  jest.useFakeTimers({
    doNotFake: [
      'nextTick',
      'setImmediate',
      'clearImmediate',
      'setTimeout',
      'clearTimeout',
      'setInterval',
      'clearInterval',
      'queueMicrotask',
      'hrtime',
      'performance',
    ],
  });
}

/**
 * Fakes `Date` (as `fakeDateOnly`) and moves it forward, by less than one window, to a moment with
 * at least half a window of the login-attempt counter ahead: failures counted one after another then
 * land in one fixed window however slow the machine, never on both sides of a boundary (which
 * starts the count again). Undo with `jest.useRealTimers()`.
 */
export function midAttemptWindow(windowSeconds: number): void {
  const windowMs = windowSeconds * 1000;
  const now = Date.now();
  const start = now - (now % windowMs);
  const target = now % windowMs < windowMs / 2 ? start + windowMs / 2 : start + windowMs + windowMs / 2;
  fakeDateOnly();
  jest.setSystemTime(target);
}
