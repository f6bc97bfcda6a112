import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';

let provider: SSMProvider | undefined;

/**
 * Reads key material from SSM Parameter Store through Powertools Parameters: every parameter a
 * function needs in one GetParameters call (decrypted), as a map of those that exist and are not
 * empty. Never from Powertools' cache: the key ring
 * decides when to read again, and a re-read must see a rotation (a batch read's `maxAge: 0` still
 * caches for 5 s in Powertools 2.x, so the cache is cleared instead). Loaded on first use only, so
 * functions configured with plain values never load the SSM client.
 */
export async function readSecureParameters(names: readonly string[]): Promise<ReadonlyMap<string, string>> {
  if (!provider) {
    const { SSMProvider } = await import('@aws-lambda-powertools/parameters/ssm');
    provider = new SSMProvider();
  }
  provider.clearCache();
  let result: Record<string, unknown>;
  try {
    result = await provider.getParametersByName<string>(Object.fromEntries(names.map((name) => [name, {}])), {
      decrypt: true,
      throwOnError: false,
    });
  } catch (err) {
    const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
    throw new Error(`reading SSM parameters ${names.join(', ')} failed: ${name}: ${message}`, { cause: err });
  }
  // Only those that exist and hold something: the caller decides what a missing one means.
  const values = new Map<string, string>();
  for (const name of names) {
    const value = result[name];
    if (typeof value === 'string' && value !== '') values.set(name, value);
  }
  return values;
}
