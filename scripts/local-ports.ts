/**
 * The ports of one local stack, chosen before anything starts: the HTTP API on PORT (default 3000),
 * the database on DYNAMODB_PORT (default 8000 for the stack on port 3000), serverless-offline's Lambda
 * and websocket servers on LAMBDA_PORT and WEBSOCKET_PORT. A port the shell names must be free; one
 * it leaves unset is picked free. So `PORT=N npm start` alone starts a stack beside another, and a
 * clash names the service and the variable that moves it.
 */
import net from 'node:net';
import { CliError, UsageError } from './cli';
import { DEFAULT_PORT, type StackRecord } from './local-stacks';
import { freePort } from './offline';

/** The database port of the default stack, as DynamoDB Local has it. */
export const DEFAULT_DYNAMODB_PORT = 8000;

/** One server of a stack: what it is called and the variable that sets its port. */
interface Service {
  readonly name: string;
  readonly variable: 'PORT' | 'DYNAMODB_PORT' | 'LAMBDA_PORT' | 'WEBSOCKET_PORT';
}

export const SERVICES = {
  http: { name: 'the HTTP API', variable: 'PORT' },
  dynamodb: { name: 'the local database', variable: 'DYNAMODB_PORT' },
  lambda: { name: "serverless-offline's Lambda Invoke API", variable: 'LAMBDA_PORT' },
  websocket: { name: "serverless-offline's websocket server", variable: 'WEBSOCKET_PORT' },
} as const satisfies Record<string, Service>;

type Role = keyof typeof SERVICES;

/** Where a port came from: the shell's variable, the service's default, or picked free (`busy`: the default was in use). */
export type PortOrigin = 'given' | 'default' | 'free' | 'busy';

/** The ports of one stack, and where each came from. */
export interface StackPorts {
  readonly http: number;
  readonly dynamodb: number;
  readonly lambda: number;
  readonly websocket: number;
  readonly origins: Readonly<Record<Role, PortOrigin>>;
}

/** How the start-up lines say where a port came from. */
export function originText(ports: StackPorts, role: Role): string {
  const { variable } = SERVICES[role];
  switch (ports.origins[role]) {
    case 'given':
      return variable;
    case 'default':
      return `the default; ${variable} moves it`;
    case 'free':
      return `a free port; ${variable} sets it`;
    case 'busy':
      return `${DEFAULT_DYNAMODB_PORT} is in use, so a free port; ${variable} sets it`;
  }
}

/** Whether a port can be listened on at `host` right now (a clash is false; any other refusal throws). */
export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** `text` as a port number, or a usage error naming `source` (a variable, an option). */
export function portNumber(text: string, source: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${source} must be a port number (1-65535), got "${text}"`);
  return port;
}

/** A port variable's value, or undefined when unset; a usage error naming it when it is not a port. */
export function portSetting(env: NodeJS.ProcessEnv, variable: Service['variable']): number | undefined {
  const text = env[variable];
  return text === undefined || text === '' ? undefined : portNumber(text, variable);
}

/** The one line a clash is: the port, the service, who holds it if it is one of this checkout's stacks, and what to do. */
export function clashMessage(role: Role, port: number, holder?: StackRecord, suggestion?: number): string {
  const { name, variable } = SERVICES[role];
  const by =
    holder === undefined ? '' : ` by this checkout's stack${holder.port === port ? '' : ` on port ${holder.port}`} (pid ${holder.pid})`;
  if (role === 'http') {
    const instead = suggestion === undefined ? 'PORT=<port> npm start' : `PORT=${suggestion} npm start`;
    return `port ${port} (${name}) is in use${by}: ${holder?.port === port ? 'stop it, or ' : ''}start this stack on another port, e.g. ${instead}`;
  }
  return `port ${port} (${name}) is in use${by}: set ${variable} to another port, or leave it unset and a free one is picked`;
}

/** A port clash: exit status 1, one line. */
export class PortClashError extends CliError {}

/**
 * The ports a stack with `env` listens on. `env` ports must be free; unset ones are picked free (the
 * default stack's database keeps 8000 while it is free). `stacks` names the holder of a clash.
 */
export async function planPorts(
  env: NodeJS.ProcessEnv,
  {
    host,
    stacks = [],
    free = portFree,
    pick = freePort,
  }: {
    host: string;
    stacks?: readonly StackRecord[];
    free?: (port: number, host: string) => Promise<boolean>;
    pick?: (host: string) => Promise<number>;
  },
): Promise<StackPorts> {
  const given = {
    http: portSetting(env, 'PORT'),
    dynamodb: portSetting(env, 'DYNAMODB_PORT'),
    lambda: portSetting(env, 'LAMBDA_PORT'),
    websocket: portSetting(env, 'WEBSOCKET_PORT'),
  };
  const http = given.http ?? DEFAULT_PORT;
  const hosts: Record<Role, string> = { http: host, dynamodb: '127.0.0.1', lambda: host, websocket: host };
  const holderOf = (port: number) =>
    stacks.find((stack) => stack.port === port || stack.lambdaPort === port || new URL(stack.dynamodbEndpoint).port === String(port));

  const taken = new Set<number>();
  const origins: Record<Role, PortOrigin> = { http: 'given', dynamodb: 'given', lambda: 'given', websocket: 'given' };
  const take = async (role: Role, port: number | undefined, preferred?: number): Promise<number> => {
    if (port !== undefined) {
      if (taken.has(port) || !(await free(port, hosts[role]))) {
        let suggestion: number | undefined;
        if (role === 'http')
          for (let next = port + 1; next < port + 100 && suggestion === undefined; next += 1)
            if (!taken.has(next) && (await free(next, host))) suggestion = next;
        throw new PortClashError(clashMessage(role, port, holderOf(port), suggestion));
      }
      taken.add(port);
      return port;
    }
    origins[role] = 'free';
    if (preferred !== undefined) {
      if (!taken.has(preferred) && (await free(preferred, hosts[role]))) {
        origins[role] = 'default';
        taken.add(preferred);
        return preferred;
      }
      origins[role] = 'busy';
    }
    for (;;) {
      const candidate = await pick(hosts[role]);
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  };
  const httpPort = await take('http', http);
  if (given.http === undefined) origins.http = 'default';
  const dynamodb = await take('dynamodb', given.dynamodb, http === DEFAULT_PORT ? DEFAULT_DYNAMODB_PORT : undefined);
  const lambda = await take('lambda', given.lambda);
  const websocket = await take('websocket', given.websocket);
  return { http: httpPort, dynamodb, lambda, websocket, origins };
}

/** The service a server's EADDRINUSE is about, from the port in its message; undefined for another error. */
export function clashIn(text: string, ports: StackPorts): { role: Role; port: number } | undefined {
  const match = /EADDRINUSE[^\n]*?:(\d+)/.exec(text);
  if (!match) return undefined;
  const port = Number(match[1]);
  const role = (Object.keys(SERVICES) as Role[]).find((key) => ports[key] === port);
  return role === undefined ? undefined : { role, port };
}
