import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One AWS API call as the service received it: who signed it (the access key id of its SigV4
 * `Authorization` header), the service of the signature's scope, the operation (`x-amz-target`)
 * and the JSON input.
 */
export interface AwsCall {
  readonly keyId: string;
  readonly service: string;
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

export interface AwsCallRecorder {
  /** Where to point the SDK instead of the service (DYNAMODB_ENDPOINT, AWS_ENDPOINT_URL_SSM). */
  readonly endpoint: string;
  readonly calls: readonly AwsCall[];
  close(): Promise<void>;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

/**
 * A loopback proxy in front of a local AWS stand-in (dynalite, the fake SSM) that records every
 * call and passes it on unchanged. A call without a SigV4 signature is recorded with key id `?`.
 */
export async function startAwsCallRecorder(target: string): Promise<AwsCallRecorder> {
  const calls: AwsCall[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const [, keyId = '?', service = '?'] = CREDENTIAL.exec(String(incoming.headers.authorization ?? '')) ?? [];
      const operation = String(incoming.headers['x-amz-target'] ?? '').replace(/^.*\./, '');
      let input: Record<string, unknown> = {};
      try {
        input = JSON.parse(body.toString() || '{}') as Record<string, unknown>;
      } catch {
        // recorded with no input; the service answers the malformed body itself
      }
      calls.push({ keyId, service, operation, input });
      const forward = httpRequest(`${target}${incoming.url ?? '/'}`, { method: incoming.method, headers: incoming.headers }, (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      });
      forward.on('error', () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
