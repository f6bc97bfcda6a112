import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A test-only stand-in for SSM Parameter Store's JSON API on loopback (GetParameter(s),
 * PutParameter, DeleteParameter), for the real AWS SDK, Powertools Parameters and the docs' `aws`
 * commands (point them at it with AWS_ENDPOINT_URL_SSM). It can hold, rotate and remove
 * parameters, answer every call with ThrottlingException, and counts calls.
 */
export interface FakeSsm {
  readonly endpoint: string;
  readonly parameters: Map<string, string>;
  /** Calls received, by operation (`GetParameter`, `GetParameters`). */
  readonly calls: Record<string, number>;
  /** The names each GetParameters call asked for, in order. */
  readonly batches: string[][];
  /** While true, every call gets ThrottlingException (as SSM over its throughput limit). */
  throttle: boolean;
  close(): Promise<void>;
}

export async function startFakeSsm(initial: Record<string, string> = {}): Promise<FakeSsm> {
  const parameters = new Map(Object.entries(initial));
  const calls: Record<string, number> = {};
  const batches: string[][] = [];
  const state = { throttle: false };
  const toParameter = (name: string) => ({ Name: name, Type: 'SecureString', Value: parameters.get(name), Version: 1, DataType: 'text' });

  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace('AmazonSSM.', '');
      calls[operation] = (calls[operation] ?? 0) + 1;
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(payload));
      };
      if (state.throttle) return reply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      const input = JSON.parse(body || '{}') as { Name?: string; Names?: string[]; Value?: string; Overwrite?: boolean };
      if (operation === 'GetParameter' && input.Name !== undefined) {
        if (!parameters.has(input.Name)) return reply(400, { __type: 'ParameterNotFound', message: `${input.Name} not found` });
        return reply(200, { Parameter: toParameter(input.Name) });
      }
      if (operation === 'GetParameters' && input.Names !== undefined) {
        batches.push(input.Names);
        const found = input.Names.filter((name) => parameters.has(name));
        return reply(200, { Parameters: found.map(toParameter), InvalidParameters: input.Names.filter((name) => !parameters.has(name)) });
      }
      if (operation === 'PutParameter' && input.Name !== undefined && input.Value !== undefined) {
        if (parameters.has(input.Name) && input.Overwrite !== true) {
          return reply(400, {
            __type: 'ParameterAlreadyExists',
            message: 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
          });
        }
        parameters.set(input.Name, input.Value);
        return reply(200, { Version: 1, Tier: 'Standard' });
      }
      if (operation === 'DeleteParameter' && input.Name !== undefined) {
        if (!parameters.delete(input.Name)) return reply(400, { __type: 'ParameterNotFound', message: `${input.Name} not found` });
        return reply(200, {});
      }
      return reply(400, { __type: 'InvalidAction', message: `unsupported: ${operation}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    parameters,
    calls,
    batches,
    get throttle() {
      return state.throttle;
    },
    set throttle(value: boolean) {
      state.throttle = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
