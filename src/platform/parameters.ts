/**
 * Reads secrets from SSM Parameter Store at cold start through Powertools Parameters (decrypted,
 * cached). Loaded on first use only, so functions configured with plain values never load the
 * AWS SDK for it.
 */
export async function readSecureParameter(name: string): Promise<string> {
  const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
  const value = await getParameter(name, { decrypt: true, maxAge: 300 });
  if (typeof value !== 'string' || value === '') throw new Error(`SSM parameter ${name} is missing or empty`);
  return value;
}
