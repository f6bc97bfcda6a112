/**
 * Reads key material from SSM Parameter Store through Powertools Parameters: every parameter a
 * function needs in one GetParameters call (decrypted), uncached here because the key ring decides
 * when to read again. Loaded on first use only, so functions configured with plain values never
 * load the SSM client.
 */
export async function readSecureParameters(names: readonly string[]): Promise<ReadonlyMap<string, string>> {
  const { getParametersByName } = await import('@aws-lambda-powertools/parameters/ssm');
  let result: Record<string, unknown>;
  try {
    result = await getParametersByName<string>(Object.fromEntries(names.map((name) => [name, {}])), {
      decrypt: true,
      maxAge: 0,
      throwOnError: false,
    });
  } catch (err) {
    const { name, message } = err instanceof Error ? err : { name: 'Error', message: String(err) };
    throw new Error(`reading SSM parameters ${names.join(', ')} failed: ${name}: ${message}`, { cause: err });
  }
  const values = new Map<string, string>();
  for (const name of names) {
    const value = result[name];
    if (typeof value !== 'string' || value === '') throw new Error(`SSM parameter ${name} is missing or empty`);
    values.set(name, value);
  }
  return values;
}
