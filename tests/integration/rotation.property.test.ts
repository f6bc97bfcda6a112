import fc from 'fast-check';
import { createDynamoFamilyStore } from '../../src/sessions/dynamo-family-store';
import { endAllSessions, endSession } from '../../src/sessions/session-list';
import { issueTokenPair, revokeSession, rotateRefreshToken, type SessionDeps } from '../../src/sessions/session-service';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { createDynamoUserStore } from '../../src/users/dynamo-user-store';
import { createDynamoLoginAttempts } from '../../src/users/login-attempts';
import { addUser, changePassword, disableUser, enableUser } from '../../src/users/user-admin';
import { rejectionCode } from '../helpers/error-code';
import { fakeDateOnly } from '../helpers/hand-clock';
import { startTestDatabase, type TestDatabase } from '../helpers/local-stack';
import { propertyOptions } from '../helpers/properties';
import { TEST_SCRYPT, testConfig, testIssuer, testVerifier } from '../helpers/test-config';
import { adminDeps } from '../helpers/users';

// The rotation state machine under random sequences of refreshes, replays inside and after the
// retry window, logout, ending one session or all, password change and disable/enable, on a hand
// clock, against dynalite through the real SDK. After every step:
// - at most one live successor per family (concurrent refreshes of one token agree);
// - nothing from a revoked family, or from before the revocation clock, is ever accepted again;
// - the retry window is counted from the rotation and never extended by replays;
// - a replay inside the window returns the very same successor.

const GRACE_SECONDS = 10;
const CLIENT = { ip: '192.0.2.20', userAgent: 'fast-check' };

let db: TestDatabase;
let deps: SessionDeps;

/** The hand clock: Date only (the SDK's own timers keep running), moved in whole seconds. */
let clockMs = 0;
function setClock(ms: number): void {
  clockMs = ms;
  jest.setSystemTime(ms);
}

beforeAll(async () => {
  db = await startTestDatabase();
  const client = createDocumentClient({ region: 'us-east-1', dynamodbEndpoint: db.endpoint });
  const config = testConfig();
  deps = {
    users: createDynamoUserStore(client, db.env.USERS_TABLE),
    families: createDynamoFamilyStore(client, db.env.FAMILIES_TABLE),
    attempts: createDynamoLoginAttempts(client, db.env.LOGIN_ATTEMPTS_TABLE, {
      maxFailures: 1000,
      maxFailuresPerUser: 1000,
      maxFailuresPerAddress: 100_000,
      windowSeconds: 900,
    }),
    issuer: testIssuer(config),
    verifier: testVerifier(config),
    refreshReuseGraceSeconds: GRACE_SECONDS,
    freshWindowSeconds: 0,
    sessionMaxLifetimeSeconds: config.sessionMaxLifetimeSeconds,
    csrfClaims: false,
    scrypt: TEST_SCRYPT,
  };
  fakeDateOnly();
});

afterAll(async () => {
  jest.useRealTimers();
  await db?.close();
});

/** What the model knows of one family (session). */
interface Family {
  readonly id: string;
  /** Every refresh token the family ever handed out, oldest first. */
  readonly tokens: string[];
  current: string;
  /** The token the last rotation replaced, when (seconds) it happened, and what it returned. */
  previous?: { token: string; rotatedAt: number; successor: string };
  live: boolean;
}

interface Model {
  readonly username: string;
  readonly password: string;
  families: Family[];
  disabled: boolean;
}

const nowSeconds = () => Math.floor(clockMs / 1000);

type Command =
  | { kind: 'login' }
  | { kind: 'refresh'; family: number; concurrent: boolean }
  | { kind: 'replay'; family: number }
  | { kind: 'stale'; family: number; pick: number }
  | { kind: 'advance'; seconds: number }
  | { kind: 'logout'; family: number }
  | { kind: 'end'; family: number }
  | { kind: 'endAll' }
  | { kind: 'password' }
  | { kind: 'disable' }
  | { kind: 'enable' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'login' as const }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('refresh' as const), family: fc.nat(), concurrent: fc.boolean() }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('replay' as const), family: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('stale' as const), family: fc.nat(), pick: fc.nat() }), weight: 2 },
  {
    // Around the window's edge more often than chance would.
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      seconds: fc.oneof(fc.constantFrom(GRACE_SECONDS, GRACE_SECONDS + 1), fc.integer({ min: 1, max: 2 * GRACE_SECONDS })),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('logout' as const), family: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('end' as const), family: fc.nat() }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'endAll' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'password' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'disable' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'enable' as const }), weight: 1 },
);

/** Every family revoked by a user-wide event; the clock then moves a second, as a person would. */
function revokeAll(model: Model): void {
  for (const family of model.families) family.live = false;
  setClock(clockMs + 1000);
}

/** Nothing a dead family ever handed out is accepted, whenever it comes back. */
async function expectAllRefused(family: Family): Promise<void> {
  // Refused as a session that has ended: a fault (a database error, a bug) is no refusal.
  for (const token of family.tokens) {
    expect(await rejectionCode(rotateRefreshToken(deps, token, CLIENT))).toMatch(/^ERR_REFRESH_TOKEN_(REVOKED|REUSED)$/);
  }
}

async function run(model: Model, step: Command): Promise<void> {
  const family = 'family' in step && model.families.length > 0 ? model.families[step.family % model.families.length] : undefined;
  switch (step.kind) {
    case 'login': {
      if (model.disabled) {
        expect(await rejectionCode(issueTokenPair(deps, model, CLIENT))).toBe('ERR_BAD_CREDENTIALS');
        return;
      }
      const { refreshToken } = await issueTokenPair(deps, model, CLIENT);
      const { fam } = await deps.verifier.verifyRefreshToken(refreshToken);
      model.families.push({ id: fam!, tokens: [refreshToken], current: refreshToken, live: true });
      return;
    }
    case 'refresh': {
      if (!family) return;
      const attempts = step.concurrent ? 3 : 1;
      const results = await Promise.all(
        Array.from({ length: attempts }, () =>
          rotateRefreshToken(deps, family.current, CLIENT).then(
            (r) => r.refreshToken,
            (e: { code?: string }) => e.code ?? 'fault',
          ),
        ),
      );
      if (!family.live || model.disabled) {
        for (const result of results) expect(result).toMatch(/^ERR_REFRESH_TOKEN_(REVOKED|REUSED)$/);
        family.live = false;
        return;
      }
      // One live successor: every concurrent refresh of the current token got the same one.
      expect(new Set(results).size).toBe(1);
      const successor = results[0]!;
      expect(successor).not.toMatch(/^ERR_/);
      family.previous = { token: family.current, rotatedAt: nowSeconds(), successor };
      family.current = successor;
      family.tokens.push(successor);
      return;
    }
    case 'replay': {
      if (!family?.previous) return;
      const { token, rotatedAt, successor } = family.previous;
      const result = await rotateRefreshToken(deps, token, CLIENT).then(
        (r) => r.refreshToken,
        (e: { code?: string }) => e.code ?? 'fault',
      );
      const inside = nowSeconds() - rotatedAt <= GRACE_SECONDS;
      if (family.live && !model.disabled && inside && family.current === successor) {
        // The very successor the rotation returned; the window is not moved by this replay.
        expect(result).toBe(successor);
      } else {
        expect(result).toMatch(/^ERR_REFRESH_TOKEN_(REVOKED|REUSED)$/);
        family.live = false;
      }
      return;
    }
    case 'stale': {
      // A token two or more rotations old: always reuse (or already revoked), never accepted.
      if (!family || family.tokens.length < 3) return;
      const token = family.tokens[step.pick % (family.tokens.length - 2)]!;
      expect(await rejectionCode(rotateRefreshToken(deps, token, CLIENT))).toMatch(/^ERR_REFRESH_TOKEN_(REVOKED|REUSED)$/);
      family.live = false;
      return;
    }
    case 'advance':
      setClock(clockMs + step.seconds * 1000);
      return;
    case 'logout':
      if (!family) return;
      await revokeSession(deps, family.current);
      family.live = false;
      return;
    case 'end': {
      if (!family) return;
      const code = await rejectionCode(endSession(deps, model.username, family.id));
      expect(code).toBe(family.live && !model.disabled ? 'none' : 'ERR_SESSION_NOT_FOUND');
      family.live = false;
      return;
    }
    case 'endAll':
      await endAllSessions(deps, model.username);
      revokeAll(model);
      return;
    case 'password':
      await changePassword(adminDeps(db), model.username, model.password);
      revokeAll(model);
      return;
    case 'disable':
      if (model.disabled) return;
      await disableUser(adminDeps(db), model.username);
      model.disabled = true;
      revokeAll(model);
      return;
    case 'enable':
      if (!model.disabled) return;
      await enableUser(adminDeps(db), model.username);
      model.disabled = false;
      return;
  }
}

let users = 0;

describe('the rotation state machine', () => {
  it('keeps its invariants under any sequence of session events', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (steps) => {
        users += 1;
        // Whole seconds, so the model and the service count the window alike.
        setClock(Date.UTC(2026, 0, 1) + users * 86_400_000);
        const model: Model = { username: `prop-${users}`, password: `prop-password-${users}`, families: [], disabled: false };
        await addUser(adminDeps(db), model.username, model.password);
        await run(model, { kind: 'login' });
        for (const step of steps) {
          await run(model, step);
          // Nothing from a revoked family, or from before the revocation clock, comes back.
          for (const dead of model.families.filter((f) => !f.live)) await expectAllRefused(dead);
        }
      }),
      propertyOptions({ numRuns: Number(process.env.FC_RUNS ?? 40) }),
    );
  });
});
