/** One request a client sent, with its answer's status and body. */
interface SentRequest {
  readonly route: string;
  readonly status: number;
  readonly body: string;
}

/**
 * Wraps `send` (the platform's fetch by default) to keep every request a client sends as
 * `METHOD /path` with the answer's status and body, so a test counts exactly what went out.
 */
export function countingFetch(send: (request: Request) => Promise<Response> = (request) => fetch(request)) {
  const sent: SentRequest[] = [];
  return {
    sent,
    /** The requests of `route` (`POST /refresh`) so far. */
    count: (route: string) => sent.filter((request) => request.route === route).length,
    /** The statuses of `route`'s answers, in order. */
    statuses: (route: string) => sent.filter((request) => request.route === route).map(({ status }) => status),
    fetch: async (request: Request): Promise<Response> => {
      const route = `${request.method} ${new URL(request.url).pathname}`;
      const response = await send(request);
      sent.push({ route, status: response.status, body: await response.clone().text() });
      return response;
    },
  };
}
