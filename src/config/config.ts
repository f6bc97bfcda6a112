/**
 * Every setting of the product, with its default, read once per cold start.
 * Nothing else in the code reads `process.env`.
 *
 * Settings come in sections so that each function reads, and is given, only what it uses: the
 * protected handlers never see the signing secret, and the authorizers carry no HTTP settings.
 * Each loader reports every bad variable of its section at once; `loadConfig` reads them all.
 */

export type JwtAlgorithm = 'HS256' | 'EdDSA' | 'ES256';
const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'EdDSA', 'ES256'];

/**
 * Authentication context classes (`acr`) this product issues, weakest first: the password, or a
 * phishing-resistant factor (a user-verified passkey). A fresh-only authorizer can require one
 * (FRESH_REQUIRE_ACR); a token without `acr` (flask-jwt-extended's) counts as the password.
 */
export const ACR_VALUES = Object.freeze({ pwd: 'urn:fresh-token:acr:pwd', phr: 'urn:fresh-token:acr:phr' } as const);
export type Acr = (typeof ACR_VALUES)[keyof typeof ACR_VALUES];

/** Token formats: this product's own, or flask-jwt-extended 4.x's for a step-by-step migration. */
export type TokenFormat = 'standard' | 'flask-jwt-extended';

/**
 * Where one piece of key material comes from: its value in the environment (local runs, tests),
 * or the name of an SSM parameter read at cold start (deployed stages).
 */
/**
 * Key material given as a value, or the name of the SSM parameter that holds it. An `optional`
 * parameter that does not exist means none (the previous secrets, before any rotation).
 */
export type KeySource = { readonly value: string } | { readonly parameter: string; readonly optional?: boolean } | undefined;

/**
 * Where tokens travel, with flask-jwt-extended 4.x's setting names: the Authorization header, cookies
 * (HttpOnly, with CSRF double-submit cookies for the page's script), or both (headers first).
 */
export interface CookieConfig {
  readonly headers: boolean;
  readonly cookies: boolean;
  readonly accessCookieName: string;
  readonly refreshCookieName: string;
  readonly accessCsrfCookieName: string;
  readonly refreshCsrfCookieName: string;
  readonly accessCsrfHeaderName: string;
  readonly refreshCsrfHeaderName: string;
  readonly accessCookiePath: string;
  readonly refreshCookiePath: string;
  readonly cookieDomain: string | undefined;
  readonly sameSite: 'Lax' | 'Strict' | 'None';
  readonly secure: boolean;
  /** Cookie-carried tokens get a `csrf` claim, and state-changing requests must echo it in a header. */
  readonly csrfProtect: boolean;
}

/** What signs and verifies tokens. */
export interface TokenConfig {
  /** Where tokens travel (TOKEN_LOCATION and the JWT_*COOKIE* settings). */
  readonly transport: CookieConfig;
  readonly stage: string;
  /**
   * Whether the public development secret may sign and verify: only on the local stage, and never
   * inside a real Lambda (whatever its stage says), so a mislabelled deploy cannot be forged for.
   */
  readonly devSecretAllowed: boolean;
  readonly jwtAlgorithm: JwtAlgorithm;
  readonly tokenFormat: TokenFormat;
  /** HS256: the signing secret, and earlier secrets still accepted for verification (a JSON array). */
  readonly secret: KeySource;
  readonly previousSecrets: KeySource;
  /** EdDSA / ES256: the private JWK (issuing functions only) and the public JWKS (verifiers). */
  readonly privateKey: KeySource;
  readonly publicKeys: KeySource;
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly clockLeewaySeconds: number;
  /** 0: logins grant `fresh: true`; else `fresh` = now + this many seconds ("fresh until"). */
  readonly freshWindowSeconds: number;
  /** For a fresh-only authorizer: the longest time since the password was verified; unset: no limit. */
  readonly freshMaxAgeSeconds: number | undefined;
  /** For a fresh-only authorizer: the least `acr` a fresh token must carry; unset: no class is required. */
  readonly freshRequireAcr: Acr | undefined;
  /** Seconds after which key material is re-read (in the background) to pick up a rotation. */
  readonly keysMaxAgeSeconds: number;
}

/** What the JWKS route publishes: the algorithm and, for EdDSA / ES256, the public keys. */
export type PublishedKeysConfig = Pick<TokenConfig, 'jwtAlgorithm' | 'publicKeys' | 'keysMaxAgeSeconds'>;

/**
 * Which browser origins may read the API's answers: `*` (any, without credentials), or exact
 * origins, echoed one at a time (none: same-origin pages only, the default with cookies);
 * `credentials` when tokens travel in cookies.
 */
export interface CorsPolicy {
  readonly origins: '*' | readonly string[];
  readonly credentials: boolean;
}

/** How the HTTP handlers read requests and shape responses. */
export interface HttpConfig {
  readonly maxBodyBytes: number;
  readonly cors: CorsPolicy;
}

/** The DynamoDB tables behind users, refresh-token families and login attempts. */
export interface StoreConfig {
  readonly region: string;
  /** Set locally (dynalite); unset on AWS. */
  readonly dynamodbEndpoint: string | undefined;
  /**
   * Locally only: the access key id database calls are signed with (the database accepts any).
   * `npm start` gives each function its own when asked (plugins/offline-identities.js), so a test
   * can tell who made a call. On AWS the runtime's role credentials sign instead.
   */
  readonly localAccessKeyId: string | undefined;
  readonly usersTable: string;
  readonly familiesTable: string;
  readonly loginAttemptsTable: string;
  /** Seconds after a rotation in which the token it replaced gets the same successor again (retries, parallel tabs). */
  readonly refreshReuseGraceSeconds: number;
  /** The longest a session lives from its login, however often it is refreshed (at least REFRESH_TOKEN_TTL). */
  readonly sessionMaxLifetimeSeconds: number;
  /** Failed logins allowed per (username, source IP) and window before that address is refused. */
  readonly loginMaxFailures: number;
  /** Failed logins allowed per username and window from all addresses together. */
  readonly loginMaxFailuresPerUser: number;
  /** Failed logins allowed per source IP and window, whatever the usernames (unknown and malformed ones too). */
  readonly loginMaxFailuresPerIp: number;
  /** Length of the failed-login window, which is also the longest lockout. */
  readonly loginWindowSeconds: number;
  /** scrypt cost (log2 N) of new password hashes and of the unknown-user decoy. */
  readonly passwordScryptLog2N: number;
}

export type Config = TokenConfig & HttpConfig & StoreConfig;

/** The relying party passkeys are made for: its RP ID (a domain) and the page origins allowed to use them. */
export interface RelyingParty {
  readonly rpId: string;
  readonly rpName: string;
  readonly origins: readonly string[];
}

/** What the passkey routes (and the passkey paths of /login and /fresh-login) need. */
export interface PasskeyConfig {
  readonly passkeysTable: string;
  readonly passkeyChallengesTable: string;
  /**
   * The relying party, or, on a deployed stage that was not given one, the variable to set: the
   * passkey routes then refuse, naming it, and the password routes work on.
   */
  readonly relyingParty: RelyingParty | { readonly missing: string };
  /** Seconds a WebAuthn challenge may be answered in (at most 300). */
  readonly challengeTtlSeconds: number;
}

/**
 * The secret the local stage uses when neither `JWT_SECRET` nor `JWT_SECRET_PARAM` is set (npm
 * start, the tests). Refused on any other stage and inside a real Lambda.
 */
export const DEV_JWT_SECRET = 'DEV-ONLY-local-secret-never-use-in-production-0123456789';

/** Defaults of the text settings. */
export const TEXT_DEFAULTS = Object.freeze({
  STAGE: 'local',
  JWT_ALG: 'HS256',
  TOKEN_FORMAT: 'standard',
  JWT_ISSUER: 'fresh-token-lambda',
  JWT_AUDIENCE: 'fresh-token-lambda',
  CORS_ALLOW_ORIGINS: '*',
  AWS_REGION: 'us-east-1',
  TOKEN_LOCATION: 'headers',
  // flask-jwt-extended 4.x's defaults, but SameSite Lax (its default sends none).
  JWT_ACCESS_COOKIE_NAME: 'access_token_cookie',
  JWT_REFRESH_COOKIE_NAME: 'refresh_token_cookie',
  JWT_ACCESS_CSRF_COOKIE_NAME: 'csrf_access_token',
  JWT_REFRESH_CSRF_COOKIE_NAME: 'csrf_refresh_token',
  JWT_ACCESS_CSRF_HEADER_NAME: 'X-CSRF-TOKEN',
  JWT_REFRESH_CSRF_HEADER_NAME: 'X-CSRF-TOKEN',
  JWT_ACCESS_COOKIE_PATH: '/',
  JWT_REFRESH_COOKIE_PATH: '/',
  JWT_COOKIE_SAMESITE: 'Lax',
});

/** Settings without a default: serverless.yml always sets them (the table names are its own). */
export type RequiredText = 'USERS_TABLE' | 'FAMILIES_TABLE' | 'LOGIN_ATTEMPTS_TABLE' | 'PASSKEYS_TABLE' | 'PASSKEY_CHALLENGES_TABLE';

/** Whole-number settings: [default, min, max]. Times are in seconds. */
export const INTEGER_DEFAULTS = Object.freeze({
  ACCESS_TOKEN_TTL: [900, 1, 86_400],
  REFRESH_TOKEN_TTL: [2_592_000, 60, 31_536_000],
  CLOCK_LEEWAY: [0, 0, 300],
  FRESH_WINDOW: [0, 0, 86_400],
  FRESH_MAX_AGE: [0, 0, 31_536_000],
  KEYS_MAX_AGE: [300, 10, 86_400],
  MAX_BODY_BYTES: [4096, 64, 1_048_576],
  REFRESH_REUSE_GRACE: [10, 0, 60],
  SESSION_MAX_LIFETIME: [7_776_000, 60, 315_360_000],
  LOGIN_MAX_FAILURES: [5, 1, 1000],
  LOGIN_MAX_FAILURES_PER_USER: [100, 1, 100_000],
  // Each failure costs one scrypt (~0.7 s of CPU at the default cost): this bounds what one address burns.
  LOGIN_MAX_FAILURES_PER_IP: [100, 1, 100_000],
  LOGIN_WINDOW: [900, 10, 86_400],
  // scrypt's N = 2^this for new hashes and the unknown-user decoy. Below 17 (OWASP's floor) only
  // on the local stage outside Lambda: the tests' cheap hasher, as Django's test settings swap theirs.
  PASSWORD_SCRYPT_LOG2N: [17, 10, 20],
  // WebAuthn challenges: one-time, and answered within this many seconds.
  PASSKEY_CHALLENGE_TTL: [300, 30, 300],
  // The port npm start serves on: the local stage's default WebAuthn origin (http://localhost:<port>).
  LOCAL_PORT: [3000, 1, 65_535],
} as const);

/** The local stage's relying party: WebAuthn refuses an IP address, so the page is opened at localhost. */
const LOCAL_RP_ID = 'localhost';
const RP_NAME = 'fresh-token-lambda';

const MIN_SECRET_BYTES = 32;

/** Raised at cold start when the environment is unusable; lists every bad variable by name. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Typed readers over one environment, collecting problems instead of stopping at the first. */
function reader(env: Env) {
  const problems: string[] = [];
  // An empty variable counts as unset, as `${env:X, default}` in serverless.yml can produce one.
  const read = (name: string): string | undefined => env[name] || undefined;

  return {
    problems,
    read,
    text: (name: keyof typeof TEXT_DEFAULTS): string => read(name) ?? TEXT_DEFAULTS[name],
    required(name: RequiredText): string {
      const value = read(name);
      if (value === undefined) problems.push(`${name} is required (serverless.yml sets it)`);
      return value ?? '';
    },
    integer(name: keyof typeof INTEGER_DEFAULTS): number {
      const [fallback, min, max] = INTEGER_DEFAULTS[name];
      const raw = read(name);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      if (/^\d+$/.test(raw) && value >= min && value <= max) return value;
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    },
    flag(name: string): boolean {
      const raw = read(name);
      if (raw !== undefined && !/^(true|false|1|0)$/.test(raw)) problems.push(`${name} must be true or false, got "${raw}"`);
      return raw === 'true' || raw === '1';
    },
    /** Freezes the section, or throws `ConfigError` with every problem found. */
    done<T extends object>(section: T): T {
      if (problems.length > 0) throw new ConfigError(problems);
      return Object.freeze(section);
    },
  };
}

type Reader = ReturnType<typeof reader>;

/** The value or the SSM parameter name of `NAME` / `NAME_PARAM`; both set is a problem. */
function keySource(r: Reader, name: string, { optional = false } = {}): KeySource {
  const value = r.read(name);
  const parameter = r.read(`${name}_PARAM`);
  if (value !== undefined && parameter !== undefined) r.problems.push(`set ${name} or ${name}_PARAM, not both`);
  if (value !== undefined) return { value };
  if (parameter === undefined) return undefined;
  return optional ? { parameter, optional } : { parameter };
}

/** Checks a secret given directly; one read from SSM is checked the same way when it arrives. */
export function secretProblem(secret: string, devSecretAllowed: boolean, name: string): string | undefined {
  const bytes = new TextEncoder().encode(secret).byteLength;
  if (bytes < MIN_SECRET_BYTES) return `${name} must be at least ${MIN_SECRET_BYTES} bytes, got ${bytes}`;
  if (secret === DEV_JWT_SECRET && !devSecretAllowed)
    return `${name} is the public local development secret; set a real secret (an SSM parameter) for this stage`;
  return undefined;
}

/** Key material that only SSM may hold once the code runs inside a real Lambda. */
const KEY_VALUE_VARIABLES = ['JWT_SECRET', 'JWT_PREVIOUS_SECRETS', 'JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEYS'] as const;

/**
 * True inside a real Lambda: the runtime sets AWS_LAMBDA_FUNCTION_NAME; serverless-offline sets it
 * too, but also IS_OFFLINE. Jest sets neither.
 */
function onLambda(r: Reader): boolean {
  return r.read('AWS_LAMBDA_FUNCTION_NAME') !== undefined && r.read('IS_OFFLINE') === undefined;
}

/** The local stage outside a real Lambda: where development-only settings are allowed. */
function localOnly(r: Reader): boolean {
  return r.text('STAGE') === 'local' && !onLambda(r);
}

function algorithm(r: Reader): JwtAlgorithm {
  const raw = r.text('JWT_ALG');
  const found = JWT_ALGORITHMS.find((alg) => alg === raw);
  if (found === undefined) r.problems.push(`JWT_ALG must be one of ${JWT_ALGORITHMS.join(', ')}, got "${raw}"`);
  return found ?? 'HS256'; // reported above; any value keeps the other checks going
}

const TOKEN_LOCATIONS = ['headers', 'cookies', 'headers,cookies'] as const;
const SAME_SITE = ['Lax', 'Strict', 'None'] as const;
/** Cookie and header names: RFC 6265 tokens, kept simple. */
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** `TOKEN_LOCATION` read: where tokens may travel, or undefined for a value that is none of ours. */
function tokenLocation(r: Reader): { headers: boolean; cookies: boolean } | undefined {
  const location = r.text('TOKEN_LOCATION').replace(/\s+/g, '');
  if (!(TOKEN_LOCATIONS as readonly string[]).includes(location)) return undefined;
  return { headers: location !== 'cookies', cookies: location !== 'headers' };
}

function transportSection(r: Reader, stage: string): CookieConfig {
  const location = tokenLocation(r);
  if (location === undefined)
    r.problems.push(`TOKEN_LOCATION must be one of ${TOKEN_LOCATIONS.join(', ')}, got "${r.text('TOKEN_LOCATION')}"`);
  const name = (variable: keyof typeof TEXT_DEFAULTS): string => {
    const value = r.text(variable);
    if (!NAME.test(value)) r.problems.push(`${variable} must be 1-64 letters, digits, _ . -, got "${value}"`);
    return value;
  };
  const path = (variable: 'JWT_ACCESS_COOKIE_PATH' | 'JWT_REFRESH_COOKIE_PATH'): string => {
    const value = r.text(variable);
    if (!/^\/[\x21-\x3a\x3c-\x7e]*$/.test(value)) r.problems.push(`${variable} must be a path starting with /, got "${value}"`);
    return value;
  };
  const rawSameSite = r.text('JWT_COOKIE_SAMESITE');
  const sameSite = SAME_SITE.find((value) => value.toLowerCase() === rawSameSite.toLowerCase());
  if (sameSite === undefined) r.problems.push(`JWT_COOKIE_SAMESITE must be one of ${SAME_SITE.join(', ')}, got "${rawSameSite}"`);
  // Secure always, except on the local stage (http://localhost); an explicit setting wins.
  const secure = r.read('JWT_COOKIE_SECURE') === undefined ? stage !== 'local' : r.flag('JWT_COOKIE_SECURE');
  if (sameSite === 'None' && !secure)
    r.problems.push('JWT_COOKIE_SAMESITE=None needs JWT_COOKIE_SECURE=true (browsers refuse it otherwise)');
  const domain = r.read('JWT_COOKIE_DOMAIN');
  if (domain !== undefined && !/^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(domain))
    r.problems.push(`JWT_COOKIE_DOMAIN must be a domain name, got "${domain}"`);
  return {
    headers: location?.headers ?? true,
    cookies: location?.cookies ?? false,
    accessCookieName: name('JWT_ACCESS_COOKIE_NAME'),
    refreshCookieName: name('JWT_REFRESH_COOKIE_NAME'),
    accessCsrfCookieName: name('JWT_ACCESS_CSRF_COOKIE_NAME'),
    refreshCsrfCookieName: name('JWT_REFRESH_CSRF_COOKIE_NAME'),
    accessCsrfHeaderName: name('JWT_ACCESS_CSRF_HEADER_NAME'),
    refreshCsrfHeaderName: name('JWT_REFRESH_CSRF_HEADER_NAME'),
    accessCookiePath: path('JWT_ACCESS_COOKIE_PATH'),
    refreshCookiePath: path('JWT_REFRESH_COOKIE_PATH'),
    cookieDomain: domain,
    sameSite: sameSite ?? 'Lax',
    secure,
    csrfProtect: r.read('JWT_COOKIE_CSRF_PROTECT') === undefined ? true : r.flag('JWT_COOKIE_CSRF_PROTECT'),
  };
}

function tokenSection(r: Reader): TokenConfig {
  const stage = r.text('STAGE');
  const devSecretAllowed = localOnly(r);
  if (onLambda(r)) {
    // Independent of the stage name: a deployed function never takes key material as a value.
    for (const name of KEY_VALUE_VARIABLES) {
      if (r.read(name) !== undefined)
        r.problems.push(`${name} holds key material as a value; on Lambda set ${name}_PARAM (an SSM parameter name) instead`);
    }
  }
  const jwtAlgorithm = algorithm(r);
  const rawFormat = r.text('TOKEN_FORMAT');
  const tokenFormat: TokenFormat = rawFormat === 'flask-jwt-extended' ? rawFormat : 'standard';
  if (rawFormat !== tokenFormat) r.problems.push(`TOKEN_FORMAT must be standard or flask-jwt-extended, got "${rawFormat}"`);
  if (tokenFormat === 'flask-jwt-extended' && jwtAlgorithm !== 'HS256')
    r.problems.push('TOKEN_FORMAT=flask-jwt-extended needs JWT_ALG=HS256 (a shared secret)');

  const secret = keySource(r, 'JWT_SECRET') ?? (devSecretAllowed ? { value: DEV_JWT_SECRET } : undefined);
  const privateKey = keySource(r, 'JWT_PRIVATE_KEY');
  const publicKeys = keySource(r, 'JWT_PUBLIC_KEYS');
  if (jwtAlgorithm === 'HS256') {
    if (secret === undefined)
      r.problems.push(`JWT_SECRET (or JWT_SECRET_PARAM) is required for HS256 (at least ${MIN_SECRET_BYTES} bytes)`);
    else if ('value' in secret) {
      const problem = secretProblem(secret.value, devSecretAllowed, 'JWT_SECRET');
      if (problem) r.problems.push(problem);
    }
  } else if (privateKey === undefined && publicKeys === undefined) {
    r.problems.push(
      `JWT_PUBLIC_KEYS (or JWT_PUBLIC_KEYS_PARAM) is required for ${jwtAlgorithm}; issuing functions also need JWT_PRIVATE_KEY`,
    );
  }
  return {
    stage,
    transport: transportSection(r, stage),
    devSecretAllowed,
    jwtAlgorithm,
    tokenFormat,
    secret,
    // Absent until the first rotation: a deployed stage names it by default, and none is none.
    previousSecrets: keySource(r, 'JWT_PREVIOUS_SECRETS', { optional: true }),
    privateKey,
    publicKeys,
    issuer: r.text('JWT_ISSUER'),
    audience: r.text('JWT_AUDIENCE'),
    accessTokenTtlSeconds: r.integer('ACCESS_TOKEN_TTL'),
    refreshTokenTtlSeconds: r.integer('REFRESH_TOKEN_TTL'),
    clockLeewaySeconds: r.integer('CLOCK_LEEWAY'),
    freshWindowSeconds: r.integer('FRESH_WINDOW'),
    freshMaxAgeSeconds: r.integer('FRESH_MAX_AGE') || undefined,
    freshRequireAcr: requiredAcr(r),
    keysMaxAgeSeconds: r.integer('KEYS_MAX_AGE'),
  };
}

/** FRESH_REQUIRE_ACR: one of `ACR_VALUES`, or unset. */
function requiredAcr(r: Reader): Acr | undefined {
  const raw = r.read('FRESH_REQUIRE_ACR');
  if (raw === undefined) return undefined;
  const found = Object.values(ACR_VALUES).find((acr) => acr === raw);
  if (found === undefined) r.problems.push(`FRESH_REQUIRE_ACR must be one of ${Object.values(ACR_VALUES).join(', ')}, got "${raw}"`);
  return found;
}

/** `scheme://host[:port]`, the shape of an `Origin` header. */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/i;

/**
 * The origin as a browser serializes it (WHATWG URL: lower case, no default port), or undefined
 * for no origin at all (a port above 65535).
 */
function serializedOrigin(origin: string): string | undefined {
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}

function corsSection(r: Reader): CorsPolicy {
  // CORS_ALLOW_ORIGIN (one origin) is the earlier name, still read.
  const given = r.read('CORS_ALLOW_ORIGINS') ?? r.read('CORS_ALLOW_ORIGIN');
  // Reported by the token section when malformed; here it only decides credentials.
  const credentials = tokenLocation(r)?.cookies ?? false;
  // Unset with cookies: same-origin pages only (no cross-origin reads), never any origin.
  if (given === undefined && credentials) return { origins: [], credentials };
  const raw = given ?? TEXT_DEFAULTS.CORS_ALLOW_ORIGINS;
  if (raw.trim() === '*') {
    if (credentials)
      r.problems.push('CORS_ALLOW_ORIGINS=* cannot go with tokens in cookies (TOKEN_LOCATION): list the exact origins of your pages');
    return { origins: '*', credentials };
  }
  const origins = raw.split(',').map((origin) => origin.trim());
  for (const origin of origins) {
    const serialized = ORIGIN.test(origin) ? serializedOrigin(origin) : undefined;
    if (serialized === undefined)
      r.problems.push(`CORS_ALLOW_ORIGINS must be * or exact origins like https://app.example.com, got "${origin}"`);
    // Compared as exact strings with the request's Origin: a form no browser sends would never match.
    else if (serialized !== origin)
      r.problems.push(`CORS_ALLOW_ORIGINS lists "${origin}", which no browser sends as its Origin; write "${serialized}"`);
  }
  return { origins, credentials };
}

function httpSection(r: Reader): HttpConfig {
  return { maxBodyBytes: r.integer('MAX_BODY_BYTES'), cors: corsSection(r) };
}

function storeSection(r: Reader): StoreConfig {
  const dynamodbEndpoint = r.read('DYNAMODB_ENDPOINT');
  if (dynamodbEndpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(dynamodbEndpoint)) {
    r.problems.push(`DYNAMODB_ENDPOINT must be an http(s) URL, got "${dynamodbEndpoint}"`);
  }
  return {
    region: r.text('AWS_REGION'),
    dynamodbEndpoint,
    localAccessKeyId: dynamodbEndpoint === undefined ? undefined : r.read('AWS_ACCESS_KEY_ID'),
    usersTable: r.required('USERS_TABLE'),
    familiesTable: r.required('FAMILIES_TABLE'),
    loginAttemptsTable: r.required('LOGIN_ATTEMPTS_TABLE'),
    refreshReuseGraceSeconds: r.integer('REFRESH_REUSE_GRACE'),
    sessionMaxLifetimeSeconds: r.integer('SESSION_MAX_LIFETIME'),
    loginMaxFailures: r.integer('LOGIN_MAX_FAILURES'),
    loginMaxFailuresPerUser: r.integer('LOGIN_MAX_FAILURES_PER_USER'),
    loginMaxFailuresPerIp: r.integer('LOGIN_MAX_FAILURES_PER_IP'),
    loginWindowSeconds: r.integer('LOGIN_WINDOW'),
    passwordScryptLog2N: scryptCost(r),
  };
}

/** PASSWORD_SCRYPT_LOG2N: below its default (OWASP's floor) only where the development secret is allowed. */
function scryptCost(r: Reader): number {
  const log2N = r.integer('PASSWORD_SCRYPT_LOG2N');
  const [floor] = INTEGER_DEFAULTS.PASSWORD_SCRYPT_LOG2N;
  if (log2N < floor && !localOnly(r))
    r.problems.push(`PASSWORD_SCRYPT_LOG2N below ${floor} is for tests on the local stage only, got "${log2N}"`);
  return log2N;
}

/** A domain name of two labels or more, or `localhost`; never an IP address (WebAuthn refuses them). */
const RP_ID = /^(?=.{1,253}$)(?!\d+(\.\d+){3}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS: each origin https (http only for localhost) on the RP ID or
 * one of its subdomains. Unset on the local stage: localhost and the port npm start serves.
 */
function relyingParty(r: Reader): PasskeyConfig['relyingParty'] {
  const local = localOnly(r);
  const rpId = r.read('WEBAUTHN_RP_ID') ?? (local ? LOCAL_RP_ID : undefined);
  const rawOrigins =
    r.read('WEBAUTHN_ORIGINS') ?? (local && rpId === LOCAL_RP_ID ? `http://localhost:${r.integer('LOCAL_PORT')}` : undefined);
  if (rpId === undefined || rawOrigins === undefined) {
    return {
      missing: [rpId === undefined ? 'WEBAUTHN_RP_ID' : '', rawOrigins === undefined ? 'WEBAUTHN_ORIGINS' : '']
        .filter(Boolean)
        .join(' and '),
    };
  }
  if (!RP_ID.test(rpId)) r.problems.push(`WEBAUTHN_RP_ID must be a lower-case domain name (not an IP address), got "${rpId}"`);
  const origins = rawOrigins.split(',').map((origin) => origin.trim());
  for (const origin of origins) {
    const match = ORIGIN.exec(origin);
    const host = match ? new URL(origin).hostname : undefined;
    const secure = origin.startsWith('https://') || host === 'localhost';
    if (!match || !secure || (host !== rpId && !host!.endsWith(`.${rpId}`)))
      r.problems.push(`WEBAUTHN_ORIGINS must be https origins on WEBAUTHN_RP_ID (${rpId}) or its subdomains, got "${origin}"`);
  }
  return { rpId, rpName: RP_NAME, origins };
}

/** The passkey settings. Throws `ConfigError` naming every bad variable. */
export function loadPasskeyConfig(env: Env): PasskeyConfig {
  const r = reader(env);
  return r.done({
    passkeysTable: r.required('PASSKEYS_TABLE'),
    passkeyChallengesTable: r.required('PASSKEY_CHALLENGES_TABLE'),
    relyingParty: relyingParty(r),
    challengeTtlSeconds: r.integer('PASSKEY_CHALLENGE_TTL'),
  });
}

/** The token settings. Throws `ConfigError` naming every bad variable. */
export function loadTokenConfig(env: Env): TokenConfig {
  const r = reader(env);
  return r.done(tokenSection(r));
}

/** What the JWKS route publishes; needs no secret. Throws `ConfigError` naming every bad variable. */
export function loadPublishedKeysConfig(env: Env): PublishedKeysConfig {
  const r = reader(env);
  const jwtAlgorithm = algorithm(r);
  if (onLambda(r) && r.read('JWT_PUBLIC_KEYS') !== undefined)
    r.problems.push('JWT_PUBLIC_KEYS holds key material as a value; on Lambda set JWT_PUBLIC_KEYS_PARAM (an SSM parameter name) instead');
  return r.done({ jwtAlgorithm, publicKeys: keySource(r, 'JWT_PUBLIC_KEYS'), keysMaxAgeSeconds: r.integer('KEYS_MAX_AGE') });
}

/**
 * What a browser is told before it sends a request (the preflight, API Gateway's own answers): the
 * CORS policy and the request headers it may send (the CSRF headers with cookies). Package time
 * only (plugins/cors.js). Throws `ConfigError` naming every bad variable.
 */
export function loadCorsConfig(env: Env): { cors: CorsPolicy; allowHeaders: string[] } {
  const r = reader(env);
  const cors = corsSection(r);
  const csrf = cors.credentials ? [r.text('JWT_ACCESS_CSRF_HEADER_NAME'), r.text('JWT_REFRESH_CSRF_HEADER_NAME')] : [];
  return r.done({ cors, allowHeaders: [...new Set(['Authorization', 'Content-Type', ...csrf])] });
}

/** Where tokens travel, alone (the API description needs no key). Throws `ConfigError` naming every bad variable. */
export function loadTransportConfig(env: Env): CookieConfig {
  const r = reader(env);
  return r.done(transportSection(r, r.text('STAGE')));
}

/** The HTTP settings. Throws `ConfigError` naming every bad variable. */
export function loadHttpConfig(env: Env): HttpConfig {
  const r = reader(env);
  return r.done(httpSection(r));
}

/** What a function that only reads and writes the tables needs. Throws `ConfigError` naming every bad variable. */
export function loadStoreConfig(env: Env): HttpConfig & StoreConfig {
  const r = reader(env);
  return r.done({ ...httpSection(r), ...storeSection(r) });
}

/**
 * Every setting at once. Throws `ConfigError` naming every bad variable, so a misconfigured
 * function refuses to start instead of failing per request.
 */
export function loadConfig(env: Env): Config {
  const r = reader(env);
  const config = { ...tokenSection(r), ...httpSection(r), ...storeSection(r) };
  if (config.sessionMaxLifetimeSeconds < config.refreshTokenTtlSeconds) {
    r.problems.push(
      `SESSION_MAX_LIFETIME (${config.sessionMaxLifetimeSeconds}) must be at least REFRESH_TOKEN_TTL (${config.refreshTokenTtlSeconds})`,
    );
  }
  return r.done(config);
}
