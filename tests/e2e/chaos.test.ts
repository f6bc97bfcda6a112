import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureTables, readTableDefinitions, readTableNames, startDynalite, type LocalDatabase } from '../../scripts/local-db';
import { freePort, startOffline, type Offline } from '../../scripts/offline';
import { addUser } from '../../src/users/user-admin';
import { craftToken } from '../helpers/craft-token';
import { apiClient } from '../helpers/http-client';
import { adminDeps } from '../helpers/users';
import { TEST_ENV } from '../helpers/test-config';
import { waitFor } from '../helpers/wait-for';

// A bounded mixed load (logins, refresh chains, guarded requests) while the database goes away for
// a few seconds and comes back: only 503s with Retry-After meanwhile, every chain goes on after.
// Then, the database gone for good, what each stateful route answers.

const SECRET = 'e2e-chaos-secret-0123456789abcdef-0123456789abcdef';
const CLIENTS = 4;
const OUTAGE_MS = 3000;

let dataPath: string;
let dbPort: number;
let db: LocalDatabase | undefined;
let offline: Offline;
let env: Awaited<ReturnType<typeof readTableNames>> & Record<string, string>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  // On disk, so the database restarted after the outage holds the same users and sessions.
  dataPath = mkdtempSync(path.join(tmpdir(), 'fresh-token-chaos-'));
  dbPort = await freePort();
  db = await startDynalite({ port: dbPort, dataPath });
  await ensureTables(db.endpoint, await readTableDefinitions('local'));
  env = { DYNAMODB_ENDPOINT: db.endpoint, AWS_REGION: 'us-east-1', ...(await readTableNames('local')) };
  for (let i = 0; i < CLIENTS; i++) await addUser(adminDeps({ endpoint: db.endpoint, env }), `chaos-${i}`, `chaos-password-${i}`);
  offline = await startOffline({
    port: await freePort(),
    env: {
      JWT_SECRET: SECRET,
      DYNAMODB_ENDPOINT: db.endpoint,
      PASSWORD_SCRYPT_LOG2N: TEST_ENV.PASSWORD_SCRYPT_LOG2N,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      LOG_LEVEL: 'ERROR',
    },
  });
}, 300_000);

afterAll(async () => {
  await offline?.stop();
  await db?.close();
  rmSync(dataPath, { recursive: true, force: true });
});

type Phase = 'before' | 'outage' | 'after';

describe('a database outage under load', () => {
  it('answers only 503 with Retry-After while the database is away, and every refresh chain goes on after it', async () => {
    const request = apiClient(offline.baseUrl);
    let phase: Phase = 'before';
    const counts: Record<string, number> = {};
    const unexpected: string[] = [];
    const note = (route: string, status: number, retryAfter: string | null) => {
      const key = `${phase} ${route} ${status}`;
      counts[key] = (counts[key] ?? 0) + 1;
      if (status >= 500 && (status !== 503 || retryAfter !== '1')) unexpected.push(`${key} Retry-After=${retryAfter}`);
    };

    const sessions = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const response = await request('POST', '/login', { json: { username: `chaos-${i}`, password: `chaos-password-${i}` } });
        expect(response.status).toBe(200);
        return { i, ...(response.json as { access_token: string; refresh_token: string }), rotations: 0, rotationsAfter: 0, lost: '' };
      }),
    );

    let running = true;
    const client = async (session: (typeof sessions)[number]) => {
      while (running) {
        const refreshed = await request('POST', '/refresh', { token: session.refresh_token });
        note('refresh', refreshed.status, refreshed.headers.get('retry-after'));
        if (refreshed.status === 200) {
          const next = refreshed.json as { access_token: string; refresh_token: string };
          session.refresh_token = next.refresh_token;
          session.access_token = next.access_token;
          session.rotations++;
          if (phase === 'after') session.rotationsAfter++;
        } else if (refreshed.status !== 503) {
          session.lost = `${phase}: ${refreshed.status} ${refreshed.text}`; // the chain is broken: reported below
          return;
        }
        const guarded = await request('GET', '/protected', { token: session.access_token });
        note('protected', guarded.status, guarded.headers.get('retry-after'));
        // One client also logs in now and then (scrypt is CPU-bound: not in every loop).
        if (session.i === 0 && session.rotations % 5 === 0) {
          const login = await request('POST', '/login', { json: { username: 'chaos-0', password: 'chaos-password-0' } });
          note('login', login.status, login.headers.get('retry-after'));
        }
        await sleep(100);
      }
    };
    const load = Promise.all(sessions.map(client));

    await sleep(1500);
    phase = 'outage';
    await db!.close();
    db = undefined;
    // At least OUTAGE_MS, and until the outage has been seen (a busy machine serves fewer requests).
    await sleep(OUTAGE_MS);
    await waitFor('a refresh answered during the outage', () => ((counts['outage refresh 503'] ?? 0) > 0 ? true : undefined));
    db = await startDynalite({ port: dbPort, dataPath });
    phase = 'after';
    // Until every chain has rotated again (or broken: reported below), however long that takes here.
    await waitFor('every chain to rotate after the outage', () =>
      sessions.every((session) => session.rotationsAfter > 0 || session.lost) ? true : undefined,
    );
    running = false;
    await load;

    console.log(
      `chaos: ${CLIENTS} clients, ${OUTAGE_MS} ms outage\n${Object.entries(counts)
        .sort()
        .map(([key, n]) => `  ${key}: ${n}`)
        .join('\n')}`,
    );
    const lost = sessions.filter((session) => session.lost).map((session) => `client ${session.i}: ${session.lost}`);
    expect({ unexpected, lost }).toEqual({ unexpected: [], lost: [] });
    expect(counts['outage refresh 503']).toBeGreaterThan(0);
    // After the outage each chain rotated again, and its newest token still works: nothing half-written.
    expect(sessions.map((session) => session.rotationsAfter > 0)).toEqual(sessions.map(() => true));
    for (const session of sessions) {
      const last = await request('POST', '/refresh', { token: session.refresh_token });
      expect(`client ${session.i}: ${last.status} ${last.status === 200 ? '' : last.text}`).toBe(`client ${session.i}: 200 `);
    }
    // The authorizers never needed the database.
    expect(Object.keys(counts).filter((key) => key.includes('protected') && !key.endsWith(' 200'))).toEqual([]);
  }, 300_000);
});

describe('with the database down', () => {
  it('answers 503 with Retry-After on the stateful routes, while the authorizers keep working', async () => {
    // Down for good: nothing listens where the functions look for the database, every call is refused.
    await db?.close();
    db = undefined;
    const call = apiClient(offline.baseUrl);
    const logFrom = offline.output().length;
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, typ: string) =>
      craftToken(
        {
          sub: 'nia',
          jti: `jti-${typ}`,
          iat: now,
          nbf: now,
          exp: now + 300,
          iss: 'fresh-token-lambda',
          aud: 'fresh-token-lambda',
          ...claims,
        },
        { typ },
        SECRET,
      );
    const refresh = await sign({ type: 'refresh', fam: 'family-x', auth_time: now }, 'rt+jwt');
    const access = await sign({ type: 'access', fresh: true, auth_time: now }, 'at+jwt');

    const stateful = [
      await call('POST', '/login', { json: { username: 'nia', password: 'nia-password-1' } }),
      await call('POST', '/fresh-login', { json: { username: 'nia', password: 'nia-password-1' } }),
      await call('POST', '/refresh', { token: refresh }),
      await call('POST', '/logout', { token: refresh }),
      await call('GET', '/sessions', { token: access }),
      await call('DELETE', '/sessions/family-x', { token: access }),
      await call('DELETE', '/sessions', { token: access }),
    ];
    for (const response of stateful) {
      expect(response.status).toBe(503);
      expect(response.json).toEqual({ msg: 'Service temporarily unavailable; please retry shortly' });
      expect(response.headers.get('retry-after')).toBe('1');
    }
    // Counted for the StoreUnavailable alarm, as EMF lines in the functions' log.
    expect(offline.output().slice(logFrom)).toMatch(/"StoreUnavailable":1/);
    expect((await call('GET', '/protected', { token: access })).json).toEqual({ logged_in_as: 'nia' });
    expect((await call('GET', '/protected-fresh', { token: access })).json).toEqual({ fresh_logged_in_as: 'nia' });
  });
});
