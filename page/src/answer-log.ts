/**
 * What the server answered, for the page's "What the server answered" disclosures. The client sends
 * every request through this log's `fetch` (its `fetch` option), which keeps the last few answers:
 * method, route, status and challenge, and a refusal's body. It never keeps a 2xx body: in memory
 * mode those carry the tokens, which the page neither shows nor holds.
 */

export interface Answer {
  /** Order of arrival, from 1. */
  readonly seq: number;
  readonly method: string;
  /** The route, relative to the API ("/protected-fresh"). */
  readonly path: string;
  readonly status: number;
  /** The Bearer challenge: `WWW-Authenticate`, or on AWS the copy API Gateway makes of a function's. */
  readonly challenge: string | null;
  /** A refusal's body as the server sent it; undefined for a 2xx. */
  readonly body: string | undefined;
}

export interface AnswerLog {
  /** The fetch to give the client. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** Where the log is now: answers after the mark are the ones that came later. */
  mark(): number;
  /** The last refusal (not 2xx) that came after `mark`. */
  refusalSince(mark: number): Answer | undefined;
  /** The last 2xx of `method path` that came after `mark`. */
  successSince(mark: number, method: string, path: string): Answer | undefined;
  /** Whether a login, refresh or step-up succeeded after `mark`: the token the page shows has changed. */
  tokenChangedSince(mark: number): boolean;
}

/** The routes whose 2xx gives the session a new access token. */
const TOKEN_ROUTES = new Set(['POST /login', 'POST /refresh', 'POST /fresh-login']);
const KEPT = 20;

/** The last of `answers` that `test` accepts. */
function latest(answers: readonly Answer[], test: (answer: Answer) => boolean): Answer | undefined {
  for (let i = answers.length - 1; i >= 0; i--) {
    const answer = answers[i];
    if (answer !== undefined && test(answer)) return answer;
  }
  return undefined;
}

/**
 * A log of the answers of the API at `basePath` (the path the API's routes hang from: "" at the
 * root of the origin, "/prod" under a stage), sending with `send`.
 */
export function createAnswerLog(basePath: string, send: (request: Request) => Promise<Response>): AnswerLog {
  const answers: Answer[] = [];
  let seq = 0;

  const routeOf = (request: Request): string => {
    const { pathname } = new URL(request.url);
    return pathname.startsWith(basePath) ? pathname.slice(basePath.length) || '/' : pathname;
  };
  const since = (mark: number) => answers.filter((answer) => answer.seq > mark);

  return {
    fetch: async (request) => {
      const path = routeOf(request);
      const response = await send(request);
      const challenge = response.headers.get('WWW-Authenticate') ?? response.headers.get('x-amzn-Remapped-WWW-Authenticate');
      const body = response.ok ? undefined : await response.clone().text();
      answers.push({ seq: ++seq, method: request.method, path, status: response.status, challenge, body });
      if (answers.length > KEPT) answers.shift();
      return response;
    },
    mark: () => seq,
    refusalSince: (mark) => latest(since(mark), (answer) => answer.body !== undefined),
    successSince: (mark, method, path) =>
      latest(since(mark), (answer) => answer.body === undefined && answer.method === method && answer.path === path),
    tokenChangedSince: (mark) =>
      since(mark).some((answer) => answer.body === undefined && TOKEN_ROUTES.has(`${answer.method} ${answer.path}`)),
  };
}
