/**
 * Waits for a condition instead of for a time: calls `probe` every `intervalMs` until it returns a
 * value other than `undefined`, or throws after `deadlineMs` (far above any real need, so a slow
 * or busy machine only makes the test slower, never wrong). `what` names the condition.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  { intervalMs = 200, deadlineMs = 60_000 }: { intervalMs?: number; deadlineMs?: number } = {},
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > deadlineMs) throw new Error(`waited ${deadlineMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
