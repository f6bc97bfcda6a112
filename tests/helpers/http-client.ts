import http from 'node:http';

interface RequestOptions {
  token?: string;
  json?: unknown;
  headers?: Record<string, string>;
  body?: string;
  /**
   * The local address to connect from (any of 127.0.0.0/8 on Linux), so the API sees another
   * source IP: serverless-offline takes it from the socket, as API Gateway does.
   */
  from?: string;
}

/** A small fetch wrapper for the end-to-end tests: JSON in, status, headers and JSON out. */
export function apiClient(baseUrl: string) {
  return async function request(method: string, path: string, options: RequestOptions = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const {
      status,
      headers: responseHeaders,
      text,
    } = options.from === undefined
      ? await viaFetch(`${baseUrl}${path}`, method, headers, body)
      : await viaHttp(`${baseUrl}${path}`, method, headers, body, options.from);
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // non-JSON bodies are asserted on by status only
    }
    return { status, headers: responseHeaders, json, text };
  };
}

async function viaFetch(url: string, method: string, headers: Record<string, string>, body: string | undefined) {
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** node:http, which (unlike fetch) can choose the local address. */
function viaHttp(url: string, method: string, headers: Record<string, string>, body: string | undefined, localAddress: string) {
  return new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const req = http.request(url, { method, headers, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, text: Buffer.concat(chunks).toString() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
