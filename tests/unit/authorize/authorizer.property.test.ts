import fc from 'fast-check';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { JWTHeaderParameters, JWTPayload } from 'jose';
import { createAuthorizer } from '../../../src/authorize/authorizer';
import { secretKid } from '../../../src/tokens/keys';
import { accessClaims, craftToken } from '../../helpers/craft-token';
import { authorizerEvent, lambdaContext } from '../../helpers/events';
import { propertyOptions } from '../../helpers/properties';
import { AUTH_TIME, TEST_ENV, testConfig, testIssuer, testVerifier } from '../../helpers/test-config';

// Properties over the authorizers: whatever is done to a valid token, neither any-valid nor
// fresh-only ever allows what it should refuse, and a valid token is always allowed with its
// identity. Seeded (FC_SEED to replay) and printed when a property fails.

const config = testConfig();
const issuer = testIssuer(config);
const verifier = testVerifier(config);
const anyValid = createAuthorizer({ requireFresh: false, transport: config.transport }, verifier);
const freshOnly = createAuthorizer({ requireFresh: true, transport: config.transport }, verifier);
const context = lambdaContext('any-valid');

type Outcome =
  { kind: 'Allow' | 'Deny'; result: APIGatewayAuthorizerResult } | { kind: 'Unauthorized' } | { kind: 'Fault'; error: unknown };

async function decide(authorizer: typeof anyValid, header: string | undefined): Promise<Outcome> {
  try {
    const result = await authorizer(authorizerEvent(header), context);
    return { kind: result.policyDocument.Statement[0]?.Effect === 'Allow' ? 'Allow' : 'Deny', result };
  } catch (error) {
    return error instanceof Error && error.message === 'Unauthorized' ? { kind: 'Unauthorized' } : { kind: 'Fault', error };
  }
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');
const decode = (segment: string) => Buffer.from(segment, 'base64url');

/** One change to a token's text: a segment's bytes, its encoding, or the segments themselves. */
const textMutation = fc.oneof(
  // A byte of the header, payload or signature changed, added or removed (then re-encoded).
  fc.record({
    op: fc.constantFrom('flip', 'insert', 'delete'),
    segment: fc.nat({ max: 2 }),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  // A segment in another encoding: standard base64 with padding, upper-cased, or with a space inside.
  fc.record({ op: fc.constantFrom('base64', 'upper', 'space'), segment: fc.nat({ max: 2 }) }),
  // Segments dropped, doubled, emptied, or a fourth added.
  fc.record({ op: fc.constantFrom('drop', 'double', 'empty', 'extra'), segment: fc.nat({ max: 2 }) }),
  // Arbitrary text in place of a segment.
  fc.record({ op: fc.constant('replace'), segment: fc.nat({ max: 2 }), text: fc.string({ maxLength: 40 }) }),
);

type TextMutation = typeof textMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateText(token: string, mutation: TextMutation): string {
  const parts = token.split('.');
  const i = mutation.segment;
  const part = parts[i]!;
  switch (mutation.op) {
    case 'flip':
    case 'insert':
    case 'delete': {
      const bytes = [...decode(part)];
      const at = bytes.length === 0 ? 0 : mutation.at % bytes.length;
      if (mutation.op === 'flip') bytes[at] = (bytes[at] ?? 0) ^ (mutation.byte === 0 ? 1 : mutation.byte);
      else if (mutation.op === 'insert') bytes.splice(at, 0, mutation.byte);
      else bytes.splice(at, 1);
      parts[i] = base64url(Buffer.from(bytes));
      break;
    }
    case 'base64':
      parts[i] = decode(part).toString('base64');
      break;
    case 'upper':
      parts[i] = part.toUpperCase();
      break;
    case 'space':
      // Inside the segment: leading and trailing blanks belong to the header, not the token.
      parts[i] = `${part.slice(0, 5)} ${part.slice(5)}`;
      break;
    case 'drop':
      parts.splice(i, 1);
      break;
    case 'double':
      parts.splice(i, 0, part);
      break;
    case 'empty':
      parts[i] = '';
      break;
    case 'extra':
      parts.push(part);
      break;
    case 'replace':
      parts[i] = mutation.text;
      break;
  }
  return parts.join('.');
}

/**
 * The same token for a verifier: same header and payload text (what is signed), and a signature
 * segment that decodes to the same bytes. jose accepts the signature in standard base64 with
 * padding too (found by this property): another spelling of the same signature over the same
 * input, so safe to allow or to refuse. Anything else must be refused.
 */
function sameToken(a: string, b: string): boolean {
  const [ha, pa, sa, ...restA] = a.split('.');
  const [hb, pb, sb, ...restB] = b.split('.');
  if (restA.length > 0 || restB.length > 0 || ha !== hb || pa !== pb || sa === undefined || sb === undefined) return false;
  return Buffer.from(sa, 'base64').equals(Buffer.from(sb, 'base64'));
}

/** A JSON value that is not `value` (by JSON text). */
const otherThan = (value: unknown) => fc.jsonValue().filter((other) => JSON.stringify(other) !== JSON.stringify(value));

/**
 * Claim changes, each known to make a token unacceptable as an access token, with why: the
 * oracle is the generator, not a second copy of the verifier.
 */
const now = Math.floor(Date.now() / 1000);
const fatalClaim = fc.oneof(
  fc.record({ claim: fc.constantFrom('sub', 'jti', 'iat', 'nbf', 'exp', 'type', 'fresh'), value: fc.constant(undefined) }),
  fc.record({
    claim: fc.constant('sub'),
    value: fc.oneof(fc.constant(''), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string())),
  }),
  fc.record({
    claim: fc.constant('jti'),
    value: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.dictionary(fc.string(), fc.string())),
  }),
  fc.record({ claim: fc.constant('type'), value: otherThan('access') }),
  fc.record({ claim: fc.constant('iss'), value: otherThan('fresh-token-lambda') }),
  fc.record({
    claim: fc.constant('aud'),
    value: otherThan('fresh-token-lambda').filter((v) => !(Array.isArray(v) && v.includes('fresh-token-lambda'))),
  }),
  fc.record({
    claim: fc.constant('exp'),
    value: fc.oneof(fc.integer({ min: -1e9, max: now - 1 }), fc.string(), fc.constant(null), fc.boolean()),
  }),
  fc.record({ claim: fc.constant('nbf'), value: fc.oneof(fc.integer({ min: now + 60, max: 4e9 }), fc.string(), fc.constant(null)) }),
  fc.record({ claim: fc.constant('iat'), value: fc.oneof(fc.integer({ min: now + 60, max: 4e9 }), fc.string(), fc.constant(null)) }),
  fc.record({
    claim: fc.constant('auth_time'),
    value: fc.oneof(fc.integer({ min: now + 60, max: 4e9 }), fc.string(), fc.constant(null), fc.boolean()),
  }),
  fc.record({
    claim: fc.constant('fresh'),
    value: fc.oneof(fc.string(), fc.constant(null), fc.array(fc.boolean()), fc.dictionary(fc.string(), fc.boolean())),
  }),
  fc.record({ claim: fc.constant('sid'), value: fc.oneof(fc.constant(''), fc.integer(), fc.constant(null), fc.boolean()) }),
);

/** Header changes a verifier must refuse: another kind, an unknown key, a critical extension. */
const fatalHeader = fc.oneof(
  fc.record({ typ: otherThan('at+jwt') }),
  fc.record({ kid: otherThan(secretKid(TEST_ENV.JWT_SECRET)).filter((kid) => kid !== undefined) }),
  fc.record({ crit: fc.constant(['exp']), exp: fc.integer() }),
  fc.record({ b64: fc.constant(false), crit: fc.constant(['b64']) }),
);

/** Changes that keep a token acceptable: unknown claims, another jti or subject, freshness either way. */
const harmless = fc.record({
  sub: fc.string({ minLength: 1, maxLength: 30 }),
  jti: fc.string({ minLength: 1, maxLength: 40 }),
  fresh: fc.oneof(fc.boolean(), fc.integer({ min: now + 60, max: now + 3600 }), fc.integer({ min: 0, max: now - 1 })),
  extra: fc.dictionary(
    fc
      .string({ minLength: 1, maxLength: 8 })
      .filter((key) => !(key in accessClaims()) && !['auth_time', 'sid', 'csrf', 'fresh'].includes(key)),
    fc.jsonValue(),
    { maxKeys: 3 },
  ),
});

function isFresh(fresh: boolean | number): boolean {
  return fresh === true || (typeof fresh === 'number' && fresh > Math.floor(Date.now() / 1000));
}

describe('authorizer properties', () => {
  it('never allows a valid token after any change to its text, and refuses it as Unauthorized, never a fault', async () => {
    const token = await issuer.issueAccessToken('alice', true, AUTH_TIME, { sid: 'family-1' });
    await fc.assert(
      fc.asyncProperty(textMutation, async (mutation) => {
        const mutated = mutateText(token, mutation);
        for (const authorizer of [anyValid, freshOnly]) {
          const outcome = await decide(authorizer, `Bearer ${mutated}`);
          if (sameToken(token, mutated)) expect(['Allow', 'Unauthorized']).toContain(outcome.kind);
          else expect(outcome.kind).toBe('Unauthorized');
        }
      }),
      propertyOptions(),
    );
  });

  it('never allows a token signed with the right key whose claims or header break a rule', async () => {
    await fc.assert(
      fc.asyncProperty(
        harmless,
        fc.option(fatalClaim, { nil: undefined }),
        fc.option(fatalHeader, { nil: undefined }),
        async (ok, claim, header) => {
          fc.pre(claim !== undefined || header !== undefined);
          const claims: JWTPayload = { ...accessClaims({ sub: ok.sub, jti: ok.jti, fresh: ok.fresh }), ...ok.extra };
          if (claim !== undefined) {
            if (claim.value === undefined) delete claims[claim.claim];
            else (claims as Record<string, unknown>)[claim.claim] = claim.value;
          }
          let token: string;
          try {
            token = await craftToken(claims, (header ?? {}) as Partial<JWTHeaderParameters>);
          } catch {
            return; // jose refuses to sign it (e.g. b64 false with a string payload): nothing to verify
          }
          for (const authorizer of [anyValid, freshOnly]) expect((await decide(authorizer, `Bearer ${token}`)).kind).toBe('Unauthorized');
        },
      ),
      propertyOptions(),
    );
  });

  it('always allows a valid token on any-valid with its identity, and on fresh-only exactly when it is fresh', async () => {
    await fc.assert(
      fc.asyncProperty(harmless, fc.option(fc.string({ minLength: 1, maxLength: 36 }), { nil: undefined }), async (ok, sid) => {
        const claims: JWTPayload = { ...accessClaims({ sub: ok.sub, jti: ok.jti, fresh: ok.fresh, auth_time: AUTH_TIME }), ...ok.extra };
        if (sid !== undefined) claims.sid = sid;
        const token = await craftToken(claims);
        const any = await decide(anyValid, `Bearer ${token}`);
        expect(any.kind).toBe('Allow');
        if (any.kind !== 'Allow') return;
        expect(any.result.principalId).toBe(ok.sub);
        expect(any.result.context).toMatchObject({ identity: ok.sub, fresh: isFresh(ok.fresh), jti: ok.jti, authTime: AUTH_TIME });
        expect(any.result.context?.sid).toBe(sid);
        const fresh = await decide(freshOnly, `Bearer ${token}`);
        expect(fresh.kind).toBe(isFresh(ok.fresh) ? 'Allow' : 'Deny');
        if (fresh.kind === 'Allow' || fresh.kind === 'Deny') expect(fresh.result.principalId).toBe(ok.sub);
      }),
      propertyOptions(),
    );
  });
});
