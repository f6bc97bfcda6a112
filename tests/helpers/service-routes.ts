import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { apiRoutesOf, type ApiRoute, type ServiceFunction } from '../../src/http/api-routes';

/**
 * serverless.yml's functions and routes as the tests read them: the YAML itself (anchors and
 * merge keys), read in milliseconds, where `serverless print` takes seconds. Only the
 * `${env:NAME, 'default'}` form is resolved (to this process's NAME, else the default), which is
 * every variable the routes and the authorizers' limits use; the template tier checks what the
 * build derived from the resolved service against the packaged API.
 */

const ROOT = path.resolve(__dirname, '../..');

/** `${env:NAME, 'default'}` → process.env.NAME, else the default; any other value as written. */
function resolveEnv(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveEnv);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, v]) => [key, resolveEnv(v)]));
  if (typeof value !== 'string') return value;
  const variable = /^\$\{env:(\w+), *'?([^'}]*)'?\}$/.exec(value);
  return variable ? (process.env[variable[1]!] ?? variable[2]) : value;
}

/** The `functions:` of a serverless.yml (the project's by default). */
function serviceFunctions(file = path.join(ROOT, 'serverless.yml')): Record<string, ServiceFunction> {
  const service = parse(readFileSync(file, 'utf8'), { merge: true }) as { functions?: Record<string, ServiceFunction> };
  return resolveEnv(service.functions ?? {}) as Record<string, ServiceFunction>;
}

/** The routes of serverless.yml, with their guards, as the build derives them. */
export function serviceRoutes(file?: string): ApiRoute[] {
  return apiRoutesOf(serviceFunctions(file));
}
