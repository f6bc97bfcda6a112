/** A small fetch wrapper for the end-to-end tests: JSON in, status, headers and JSON out. */
export function apiClient(baseUrl: string) {
  return async function request(
    method: string,
    path: string,
    options: { token?: string; json?: unknown; headers?: Record<string, string>; body?: string } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // non-JSON bodies are asserted on by status only
    }
    return { status: response.status, headers: response.headers, json, text };
  };
}
