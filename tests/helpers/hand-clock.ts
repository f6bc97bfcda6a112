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
