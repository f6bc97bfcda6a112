/** Header lookup ignoring case: API Gateway passes header names as the client sent them. */
export function getHeader(headers: Readonly<Record<string, string | undefined>> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const exact = headers[name];
  if (exact !== undefined) return exact;
  const wanted = name.toLowerCase();
  for (const key in headers) {
    if (key.toLowerCase() === wanted) return headers[key];
  }
  return undefined;
}
