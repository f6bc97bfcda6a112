import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A parameter's type in SSM; what the fake does not say otherwise is a SecureString. */
type ParameterType = 'String' | 'StringList' | 'SecureString';

/**
 * A test-only stand-in for SSM Parameter Store's JSON API on loopback (GetParameter(s),
 * DescribeParameters, PutParameter, DeleteParameter), for the real AWS SDK, Powertools Parameters,
 * the preflight and the docs' `aws` commands (point them at it with AWS_ENDPOINT_URL_SSM). It can
 * hold, rotate and remove parameters, answer every call with ThrottlingException, and counts
 * calls. It checks no signature: any credentials are accepted.
 */
export interface FakeSsm {
  readonly endpoint: string;
  readonly parameters: Map<string, string>;
  /** Parameters of another type than SecureString (which uses the AWS-managed key, alias/aws/ssm). */
  readonly types: Map<string, ParameterType>;
  /** The KMS key (id, ARN or alias) a SecureString is encrypted with, when not the AWS-managed alias/aws/ssm. */
  readonly keyIds: Map<string, string>;
  /** Calls received, by operation (`GetParameter`, `GetParameters`, `DescribeParameters`). */
  readonly calls: Record<string, number>;
  /** The names each GetParameters call asked for, in order. */
  readonly batches: string[][];
  /** While true, every call gets ThrottlingException (as SSM over its throughput limit). */
  throttle: boolean;
  /** At most this many parameters per DescribeParameters page, the rest behind a NextToken (as SSM may). */
  describePageSize: number;
  close(): Promise<void>;
}

export async function startFakeSsm(initial: Record<string, string> = {}): Promise<FakeSsm> {
  const parameters = new Map(Object.entries(initial));
  const types = new Map<string, ParameterType>();
  const typeOf = (name: string): ParameterType => types.get(name) ?? 'SecureString';
  const keyIds = new Map<string, string>();
  const calls: Record<string, number> = {};
  const batches: string[][] = [];
  const state = { throttle: false, describePageSize: Infinity };
  const toParameter = (name: string) => ({ Name: name, Type: typeOf(name), Value: parameters.get(name), Version: 1, DataType: 'text' });
  // What DescribeParameters tells: never the value.
  const toMetadata = (name: string) => ({
    Name: name,
    Type: typeOf(name),
    ...(typeOf(name) === 'SecureString' ? { KeyId: keyIds.get(name) ?? 'alias/aws/ssm' } : {}),
    Version: 1,
    Tier: 'Standard',
    DataType: 'text',
  });

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
      const input = JSON.parse(body || '{}') as {
        Name?: string;
        Names?: string[];
        Value?: string;
        Type?: ParameterType;
        Overwrite?: boolean;
        ParameterFilters?: { Key: string; Option?: string; Values?: string[] }[];
        NextToken?: string;
      };
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
        types.set(input.Name, input.Type ?? 'String');
        return reply(200, { Version: 1, Tier: 'Standard' });
      }
      if (operation === 'DeleteParameter' && input.Name !== undefined) {
        if (!parameters.delete(input.Name)) return reply(400, { __type: 'ParameterNotFound', message: `${input.Name} not found` });
        types.delete(input.Name);
        return reply(200, {});
      }
      if (operation === 'DescribeParameters') {
        // The filter the preflight uses (Name, Equals), else every parameter; one page.
        const filters = input.ParameterFilters ?? [];
        if (filters.some((filter) => filter.Key !== 'Name' || (filter.Option ?? 'Equals') !== 'Equals'))
          return reply(400, { __type: 'InvalidFilterKey', message: 'the fake SSM filters by Name, Equals only' });
        const wanted = filters.flatMap((filter) => filter.Values ?? []);
        const names = [...parameters.keys()].filter((name) => filters.length === 0 || wanted.includes(name));
        const from = Number(input.NextToken ?? 0);
        const to = from + state.describePageSize;
        return reply(200, { Parameters: names.slice(from, to).map(toMetadata), ...(to < names.length ? { NextToken: String(to) } : {}) });
      }
      return reply(400, { __type: 'InvalidAction', message: `unsupported: ${operation}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    parameters,
    types,
    keyIds,
    calls,
    batches,
    get throttle() {
      return state.throttle;
    },
    set throttle(value: boolean) {
      state.throttle = value;
    },
    get describePageSize() {
      return state.describePageSize;
    },
    set describePageSize(value: number) {
      state.describePageSize = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
