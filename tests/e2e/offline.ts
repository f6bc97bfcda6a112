// Typed access to the shared serverless-offline launcher in scripts/offline.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const launcher = require('../../scripts/offline') as {
  freePort(): Promise<number>;
  startOffline(options: { port?: number; env?: Record<string, string> }): Promise<Offline>;
};

export interface Offline {
  readonly baseUrl: string;
  readonly pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts serverless-offline on a free port with `env` added to the environment. */
export async function startOfflineOnFreePort(env: Record<string, string> = {}): Promise<Offline> {
  return launcher.startOffline({ port: await launcher.freePort(), env });
}
