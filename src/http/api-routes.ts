/**
 * The API's routes as serverless.yml declares them: each http event's method and path, the
 * function that serves it, and the authorizer that guards it, described by what it checks (the
 * pipeline its handler file runs, and its FRESH_MAX_AGE and FRESH_REQUIRE_ACR). serverless.yml is
 * the one list of routes: plugins/api-routes.js derives them when a serverless command starts and
 * builds them into the bundles (a Lambda function has no serverless.yml to read), and the tests
 * derive them from serverless.yml itself.
 */

/** A function of serverless.yml, as far as its routes and its use as an authorizer go. */
export interface ServiceFunction {
  readonly handler?: string;
  readonly description?: string;
  readonly environment?: Record<string, unknown>;
  readonly events?: readonly unknown[];
}

type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch';
const METHODS: readonly HttpMethod[] = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

/**
 * What an authorizer lets through. `any-valid`: any valid access token. `fresh-only`: fresh access
 * tokens only, the password proven at most `maxAgeSeconds` ago and the class `requireAcr` when set.
 * `other`: an authorizer whose checks this code cannot read (a handler of its own, another stack's,
 * IAM): what it answers is what API Gateway answers for any authorizer.
 */
export interface Guard {
  /** The authorizer's name in serverless.yml. */
  readonly name: string;
  readonly checks: 'any-valid' | 'fresh-only' | 'other';
  readonly maxAgeSeconds?: number;
  readonly requireAcr?: string;
}

/** One method of one path. */
export interface ApiRoute {
  readonly method: HttpMethod;
  /** With a leading slash and `{name}` parameters, as API Gateway shows it: `/sessions/{id}`, `/`. */
  readonly path: string;
  /** The serverless.yml function that serves it. */
  readonly function: string;
  /** The function's `description`, when serverless.yml gives one. */
  readonly description?: string;
  /** The authorizer in front of it; none for a public route (or one whose handler checks a token itself). */
  readonly guard?: Guard;
}

/** The authorizer pipelines of this project, by handler file: what a function over one of them checks. */
const PIPELINES: Record<string, Guard['checks']> = {
  'authorizers/any-valid': 'any-valid',
  'authorizers/fresh-only': 'fresh-only',
};

/** `handler: authorizers/fresh-only.handler` → `authorizers/fresh-only`. */
function handlerFile(handler: string | undefined): string | undefined {
  return handler === undefined ? undefined : handler.slice(0, handler.lastIndexOf('.'));
}

/** A setting as serverless resolved it: a string, or a number for a YAML number. */
function setting(environment: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = environment?.[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The guard an authorizer function makes: its pipeline and the limits its environment sets. */
function guardOf(name: string, fn: ServiceFunction | undefined): Guard {
  const checks = fn === undefined ? 'other' : (PIPELINES[handlerFile(fn.handler) ?? ''] ?? 'other');
  if (checks !== 'fresh-only') return { name, checks };
  // As the code reads them (src/config/config.ts): FRESH_MAX_AGE 0 or empty is no limit.
  const maxAge = Number(setting(fn?.environment, 'FRESH_MAX_AGE') ?? '');
  const requireAcr = setting(fn?.environment, 'FRESH_REQUIRE_ACR') ?? '';
  return {
    name,
    checks,
    ...(Number.isInteger(maxAge) && maxAge > 0 ? { maxAgeSeconds: maxAge } : {}),
    ...(requireAcr !== '' ? { requireAcr } : {}),
  };
}

/** The authorizer an http event names: a function of this service by name, or something else (an ARN, IAM). */
function authorizerOf(authorizer: unknown, functions: Record<string, ServiceFunction>): Guard | undefined {
  if (authorizer === undefined || authorizer === null) return undefined;
  if (typeof authorizer === 'string') {
    return authorizer.startsWith('arn:') || !(authorizer in functions)
      ? { name: authorizer, checks: 'other' }
      : guardOf(authorizer, functions[authorizer]);
  }
  if (typeof authorizer !== 'object') return undefined;
  const { name, arn, type } = authorizer as { name?: unknown; arn?: unknown; type?: unknown };
  const label = typeof name === 'string' ? name : typeof type === 'string' ? type : 'authorizer';
  // Another stack's authorizer (an ARN), IAM or Cognito: not a function of this service.
  if (arn !== undefined || typeof name !== 'string' || !(name in functions)) return { name: label, checks: 'other' };
  return guardOf(name, functions[name]);
}

/** `get` from `GET`, or an error naming the function and what it declared. */
function methodOf(method: unknown, where: string): HttpMethod[] {
  const lower = typeof method === 'string' ? method.toLowerCase() : '';
  // API Gateway's ANY: every method, each described.
  if (lower === 'any') return [...METHODS];
  if ((METHODS as readonly string[]).includes(lower)) return [lower as HttpMethod];
  throw new Error(`${where}: http method ${JSON.stringify(method)} is not one API Gateway serves`);
}

/**
 * Every route of `functions` (serverless.yml's `functions:`, resolved or as written), sorted by
 * path and method. Throws (naming the function) on an http event it cannot read.
 */
export function apiRoutesOf(functions: Record<string, ServiceFunction>): ApiRoute[] {
  const routes: ApiRoute[] = [];
  for (const [name, fn] of Object.entries(functions)) {
    for (const event of fn.events ?? []) {
      const http = (event as { http?: unknown } | null)?.http;
      if (http === undefined) continue;
      const where = `function ${name}`;
      // `http: GET me` or `http: { method, path, authorizer }`.
      const { method, path, authorizer } =
        typeof http === 'string'
          ? { method: http.split(' ')[0], path: http.split(' ').slice(1).join(' '), authorizer: undefined }
          : (http as { method?: unknown; path?: unknown; authorizer?: unknown });
      if (typeof path !== 'string') throw new Error(`${where}: an http event without a path`);
      const guard = authorizerOf(authorizer, functions);
      for (const each of methodOf(method, where)) {
        routes.push({
          method: each,
          path: `/${path.replace(/^\/+|\/+$/g, '')}`,
          function: name,
          ...(fn.description ? { description: fn.description } : {}),
          ...(guard ? { guard } : {}),
        });
      }
    }
  }
  return routes.sort((a, b) => (a.path === b.path ? METHODS.indexOf(a.method) - METHODS.indexOf(b.method) : a.path < b.path ? -1 : 1));
}

/**
 * The routes plugins/api-routes.js built into this bundle (esbuild `define`). Throws when the
 * bundle was built without it: a build fault, never a request's.
 */
export function builtApiRoutes(): readonly ApiRoute[] {
  if (typeof FRESH_TOKEN_API_ROUTES === 'undefined') throw new Error('built without plugins/api-routes.js: no routes to describe');
  return FRESH_TOKEN_API_ROUTES;
}
