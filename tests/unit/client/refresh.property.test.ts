import fc from 'fast-check';
import { createClient } from '../../../client/src/index';
import { ClientApi, USER } from '../../helpers/client-api';
import { propertyOptions } from '../../helpers/properties';

// Over any interleaving of concurrent calls, expiries on the client's clock and expiries on the
// server's side (invalid_token), in one process: at most one refresh is ever in flight, and with
// the strict rotation (a spent refresh token revokes the session) every call still succeeds, so
// no refresh token was ever presented twice.

const STAGE = '/prod';
const MINUTE = 60_000;

type Step =
  | { readonly kind: 'call'; readonly route: '/protected' | '/me' }
  | { readonly kind: 'client-expiry'; readonly minutes: number }
  | { readonly kind: 'server-expiry' }
  | { readonly kind: 'turn' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('call' as const), route: fc.constantFrom('/protected' as const, '/me' as const) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('client-expiry' as const), minutes: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('server-expiry' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('turn' as const) }) },
);

describe('the client’s refresh, over interleavings', () => {
  it('never has two refreshes in flight, and every call succeeds under strict rotation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const api = new ClientApi(STAGE);
        let clock = Date.now();
        const client = createClient({ baseUrl: `https://api.example.test${STAGE}`, tokens: 'memory', fetch: api.fetch, now: () => clock });
        const signedOut: unknown[] = [];
        client.addEventListener('signed-out', (event) => signedOut.push(event.detail));
        await client.login(USER);
        const calls: Promise<unknown>[] = [];
        for (const next of steps) {
          if (next.kind === 'call') calls.push(client.request('GET', next.route));
          else if (next.kind === 'client-expiry') clock += next.minutes * MINUTE;
          else if (next.kind === 'server-expiry') api.expireAccessTokens();
          // Let what is under way move on by one turn of the event loop.
          else await new Promise((resolve) => setImmediate(resolve));
        }
        const results = await Promise.allSettled(calls);
        expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
        expect(signedOut).toEqual([]);
        expect(api.maxRefreshesInFlight).toBeLessThanOrEqual(1);
      }),
      propertyOptions({ numRuns: 60 }),
    );
  });
});
