/** The `code` (or, lacking one, the name) of what `promise` rejects with; 'none' if it resolves. */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const { code, name } = err as { code?: string; name?: string };
    return code ?? name ?? 'unknown';
  }
  return 'none';
}

/** The `code` of what `run` throws; 'none' if it returns. */
export function thrownCode(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    return (err as { code?: string }).code ?? 'unknown';
  }
  return 'none';
}
