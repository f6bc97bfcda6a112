/**
 * What each setting means, keyed by its variable name, next to the tables `config.ts` reads: a
 * key of TEXT_DEFAULTS or INTEGER_DEFAULTS without an entry here does not compile. The
 * configuration chapter (docs/configuration.md) is rendered from this record and those tables
 * (`npm run docs:config`), and a test fails when the two disagree.
 */
import { INTEGER_DEFAULTS, TEXT_DEFAULTS, type RequiredText } from './config';

/** Read by `config.ts` with no table default: key material, flags, choices, optional values, platform markers. */
type UntabledVariable =
  | 'JWT_SECRET'
  | 'JWT_SECRET_PARAM'
  | 'JWT_PREVIOUS_SECRETS'
  | 'JWT_PREVIOUS_SECRETS_PARAM'
  | 'JWT_PRIVATE_KEY'
  | 'JWT_PRIVATE_KEY_PARAM'
  | 'JWT_PUBLIC_KEYS'
  | 'JWT_PUBLIC_KEYS_PARAM'
  | 'FRESH_REQUIRE_ACR'
  | 'CORS_ALLOW_ORIGIN'
  | 'DYNAMODB_ENDPOINT'
  | 'AWS_ACCESS_KEY_ID'
  | 'JWT_COOKIE_DOMAIN'
  | 'JWT_COOKIE_SECURE'
  | 'JWT_COOKIE_CSRF_PROTECT'
  | 'WEBAUTHN_RP_ID'
  | 'WEBAUTHN_ORIGINS'
  | 'AWS_LAMBDA_FUNCTION_NAME'
  | 'IS_OFFLINE';

/** Read at package or deploy time (serverless.yml, plugins/) or by `npm start`, never by a function's config. */
type DeployVariable =
  | 'RECENT_MAX_AGE'
  | 'ANY_VALID_CACHE_TTL'
  | 'STEP_UP_CHALLENGE'
  | 'API_RATE_LIMIT'
  | 'API_BURST_LIMIT'
  | 'LOGIN_RATE_LIMIT'
  | 'LOGIN_BURST_LIMIT'
  | 'LOG_LEVEL'
  | 'POWERTOOLS_LAYER_VERSION'
  | 'KEYS_KMS_KEY_ARN'
  | 'ALARM_EMAIL'
  | 'ALARM_LOCKOUTS'
  | 'WAF'
  | 'WAF_MODE'
  | 'WAF_LOGIN_RATE'
  | 'PORT'
  | 'HOST'
  | 'LAMBDA_PORT'
  | 'WEBSOCKET_PORT'
  | 'DYNAMODB_PORT'
  | 'LOCAL_DATA_DIR'
  | 'LOCAL_STACKS_DIR'
  | 'BUILD_DIR'
  | 'KEEP_BUILD'
  | 'REUSE_BUILD'
  | 'OFFLINE_FUNCTION_IDENTITIES';

/** Every variable the product reads. */
export type ConfigVariable = keyof typeof TEXT_DEFAULTS | keyof typeof INTEGER_DEFAULTS | RequiredText | UntabledVariable | DeployVariable;

/** Who reads a setting: the functions at cold start, packaging and deploying, or the local tools. */
type ReadBy = 'functions' | 'deploy' | 'local';

interface ReferenceEntry {
  readonly readBy: ReadBy;
  /** What the setting does, in Markdown. */
  readonly meaning: string;
  /** The default, in Markdown, for a setting with no table default (a table default is shown from the table). */
  readonly default?: string;
}

/** The meaning of every setting; the order is the order of the reference. */
export const CONFIG_REFERENCE: { readonly [Name in ConfigVariable]: ReferenceEntry } = {
  // Tokens
  JWT_ALG: { readBy: 'functions', meaning: '`HS256`, `EdDSA` or `ES256`' },
  JWT_SECRET: {
    readBy: 'functions',
    default: 'local: the `DEV-ONLY-…` secret; deployed: none',
    meaning:
      'HS256 key as a value, at least 32 bytes; only functions that sign or verify get it. Key values (`JWT_SECRET`, `JWT_PRIVATE_KEY`, …) reach the functions on the local stage only, and a function in a real Lambda refuses them',
  },
  JWT_SECRET_PARAM: {
    readBy: 'functions',
    default: 'deployed: `/fresh-token-lambda/<stage>/jwt-secret`',
    meaning: 'SSM parameter name of the HS256 key (set one of `JWT_SECRET` and `JWT_SECRET_PARAM`, not both)',
  },
  JWT_PREVIOUS_SECRETS: { readBy: 'functions', default: 'none', meaning: 'JSON array of earlier HS256 secrets still accepted' },
  JWT_PREVIOUS_SECRETS_PARAM: {
    readBy: 'functions',
    default: 'deployed: `/<service>/<stage>/jwt-previous-secrets`',
    meaning: 'SSM parameter name of `JWT_PREVIOUS_SECRETS`; one that does not exist means none (until the first rotation)',
  },
  JWT_PRIVATE_KEY: {
    readBy: 'functions',
    default: 'local: `.keys/`',
    meaning: 'private JWK (EdDSA, ES256); login, fresh-login and refresh only',
  },
  JWT_PRIVATE_KEY_PARAM: {
    readBy: 'functions',
    default: 'deployed: `/fresh-token-lambda/<stage>/jwt-private-key`',
    meaning: 'SSM parameter name of `JWT_PRIVATE_KEY`',
  },
  JWT_PUBLIC_KEYS: { readBy: 'functions', default: 'local: `.keys/`', meaning: 'JWKS of the accepted public keys (EdDSA, ES256)' },
  JWT_PUBLIC_KEYS_PARAM: {
    readBy: 'functions',
    default: 'deployed: `/fresh-token-lambda/<stage>/jwt-public-keys`',
    meaning: 'SSM parameter name of `JWT_PUBLIC_KEYS`',
  },
  TOKEN_FORMAT: { readBy: 'functions', meaning: '`flask-jwt-extended` for 4.x-compatible tokens (HS256 only)' },
  JWT_ISSUER: { readBy: 'functions', meaning: '`iss` written and required' },
  JWT_AUDIENCE: { readBy: 'functions', meaning: '`aud` written and required' },
  ACCESS_TOKEN_TTL: { readBy: 'functions', meaning: 'access token lifetime, seconds' },
  REFRESH_TOKEN_TTL: { readBy: 'functions', meaning: 'refresh token lifetime, seconds' },
  CLOCK_LEEWAY: { readBy: 'functions', meaning: 'seconds of clock skew tolerated on `exp`/`nbf` (and on `iat`/`auth_time` ahead)' },
  KEYS_MAX_AGE: { readBy: 'functions', meaning: 'seconds after which key material is re-read in the background' },
  // Freshness
  FRESH_WINDOW: { readBy: 'functions', meaning: 'seconds a login stays fresh (`fresh: now + window`); 0 = `fresh: true`' },
  FRESH_MAX_AGE: {
    readBy: 'functions',
    meaning: 'per fresh-only authorizer function: longest time since the password check, seconds; 0 = no limit',
  },
  FRESH_REQUIRE_ACR: {
    readBy: 'functions',
    default: 'unset (any class)',
    meaning: 'per fresh-only authorizer function: the least `acr` a fresh token must carry (`urn:fresh-token:acr:phr`: a passkey)',
  },
  RECENT_MAX_AGE: { readBy: 'deploy', default: '`300`', meaning: '`FRESH_MAX_AGE` of the fresh-recent authorizer' },
  STEP_UP_CHALLENGE: {
    readBy: 'deploy',
    default: '`static`',
    meaning: '`context` takes the Deny’s `WWW-Authenticate` (with `max_age`) from the authorizer (unverified on AWS)',
  },
  ANY_VALID_CACHE_TTL: { readBy: 'deploy', default: '`30`', meaning: 'seconds API Gateway caches an any-valid decision' },
  // Sessions and logins
  SESSION_MAX_LIFETIME: {
    readBy: 'functions',
    meaning: 'seconds a session lives from its login, however often refreshed (at least `REFRESH_TOKEN_TTL`)',
  },
  REFRESH_REUSE_GRACE: {
    readBy: 'functions',
    meaning: 'seconds after a rotation in which the token it replaced gets the same successor (0 = strict)',
  },
  LOGIN_MAX_FAILURES: { readBy: 'functions', meaning: 'failed logins per (username, source IP) and window before that address gets `429`' },
  LOGIN_MAX_FAILURES_PER_USER: { readBy: 'functions', meaning: 'failed logins per username and window from all addresses before `429`' },
  LOGIN_MAX_FAILURES_PER_IP: {
    readBy: 'functions',
    meaning:
      'failed logins per source IP and window, whatever the usernames (unknown and malformed ones too), before that address gets `429`; each costs a scrypt (see [Brute force](sessions.md#rotation-reuse-detection-logout))',
  },
  LOGIN_WINDOW: { readBy: 'functions', meaning: 'length of the failed-login window (and the longest lockout), seconds' },
  PASSWORD_SCRYPT_LOG2N: {
    readBy: 'functions',
    meaning:
      'scrypt cost (N = 2^this, r = 8, p = 1) of new password hashes and of the unknown-user decoy; below 17 only on the local stage outside Lambda: the tests’ cheap hasher, set through this same setting',
  },
  // Cookies and CORS
  TOKEN_LOCATION: { readBy: 'functions', meaning: '`headers`, `cookies` or `headers,cookies` (see [Cookies](cookies-and-cors.md))' },
  JWT_ACCESS_COOKIE_NAME: { readBy: 'functions', meaning: 'the access token’s cookie' },
  JWT_REFRESH_COOKIE_NAME: { readBy: 'functions', meaning: 'the refresh token’s cookie' },
  JWT_ACCESS_CSRF_COOKIE_NAME: { readBy: 'functions', meaning: 'the access token’s CSRF cookie (readable by the page)' },
  JWT_REFRESH_CSRF_COOKIE_NAME: { readBy: 'functions', meaning: 'the refresh token’s CSRF cookie (readable by the page)' },
  JWT_ACCESS_CSRF_HEADER_NAME: {
    readBy: 'functions',
    meaning: 'header a cookie-authenticated state-changing request echoes the access CSRF value in',
  },
  JWT_REFRESH_CSRF_HEADER_NAME: { readBy: 'functions', meaning: 'header `/refresh` and `/logout` take the refresh CSRF value in' },
  JWT_ACCESS_COOKIE_PATH: { readBy: 'functions', meaning: 'path of the access cookies' },
  JWT_REFRESH_COOKIE_PATH: { readBy: 'functions', meaning: 'path of the refresh cookies' },
  JWT_COOKIE_DOMAIN: { readBy: 'functions', default: 'unset (the API’s host only)', meaning: 'the cookies’ `Domain`' },
  JWT_COOKIE_SAMESITE: { readBy: 'functions', meaning: '`Lax`, `Strict` or `None` (`None` needs `Secure`)' },
  JWT_COOKIE_SECURE: { readBy: 'functions', default: '`true`, `false` on the local stage', meaning: 'the cookies’ `Secure` attribute' },
  JWT_COOKIE_CSRF_PROTECT: {
    readBy: 'functions',
    default: '`true`',
    meaning:
      'CSRF double-submit for cookie-authenticated requests (don’t turn it off unless SameSite=Strict and no subdomain is untrusted)',
  },
  CORS_ALLOW_ORIGINS: {
    readBy: 'functions',
    meaning:
      '`*`, or the exact origins of your pages, comma-separated (see [CORS](cookies-and-cors.md#cors)); with cookies the default is none (same-origin pages only) and `*` is an error',
  },
  CORS_ALLOW_ORIGIN: { readBy: 'functions', default: 'unset', meaning: 'the earlier name of `CORS_ALLOW_ORIGINS`, still read' },
  MAX_BODY_BYTES: {
    readBy: 'functions',
    meaning:
      'largest accepted request body (413 above); the routes that take a passkey (`/login`, `/fresh-login`, `POST /me/passkeys`) take at least 16384 bytes, the largest valid registration',
  },
  // Passkeys
  WEBAUTHN_RP_ID: {
    readBy: 'functions',
    default: 'local: `localhost`; deployed: unset (the passkey routes answer 501)',
    meaning: 'the relying party: a domain, never an IP address',
  },
  WEBAUTHN_ORIGINS: {
    readBy: 'functions',
    default: 'local: `http://localhost:<PORT>`; deployed: unset',
    meaning: 'https origins on `WEBAUTHN_RP_ID` or its subdomains, comma-separated',
  },
  PASSKEY_CHALLENGE_TTL: { readBy: 'functions', meaning: 'seconds a WebAuthn challenge may be answered in' },
  LOCAL_PORT: { readBy: 'functions', meaning: 'set from `PORT` on the local stage: the port of the default WebAuthn origin' },
  // Set by serverless.yml or the platform
  STAGE: { readBy: 'functions', meaning: 'set by serverless.yml from the stage; `local` only for `npm start` and the tests' },
  AWS_REGION: { readBy: 'functions', meaning: 'set by the Lambda runtime; the DynamoDB region' },
  USERS_TABLE: { readBy: 'functions', default: 'set by serverless.yml', meaning: 'the users table' },
  FAMILIES_TABLE: { readBy: 'functions', default: 'set by serverless.yml', meaning: 'the refresh-token families table' },
  LOGIN_ATTEMPTS_TABLE: { readBy: 'functions', default: 'set by serverless.yml', meaning: 'the login attempts table' },
  PASSKEYS_TABLE: { readBy: 'functions', default: 'set by serverless.yml', meaning: 'the passkeys table' },
  PASSKEY_CHALLENGES_TABLE: { readBy: 'functions', default: 'set by serverless.yml', meaning: 'the WebAuthn challenges table' },
  DYNAMODB_ENDPOINT: { readBy: 'functions', default: 'set by `npm start`', meaning: 'local DynamoDB URL; unset on AWS' },
  AWS_ACCESS_KEY_ID: {
    readBy: 'functions',
    default: '`local`',
    meaning: 'with `DYNAMODB_ENDPOINT` only: the key id local database calls are signed with (on AWS, the role signs)',
  },
  AWS_LAMBDA_FUNCTION_NAME: {
    readBy: 'functions',
    default: 'set by Lambda',
    meaning: 'with `IS_OFFLINE` unset: inside a real Lambda, where key values and the development secret are refused',
  },
  IS_OFFLINE: {
    readBy: 'functions',
    default: 'set by serverless-offline',
    meaning: 'not a real Lambda, whatever `AWS_LAMBDA_FUNCTION_NAME` says',
  },
  LOG_LEVEL: { readBy: 'deploy', default: '`INFO`', meaning: 'Powertools log level (`DEBUG` logs every Allow)' },
  // Deploy
  API_RATE_LIMIT: { readBy: 'deploy', default: '`200`', meaning: 'API Gateway stage throttling, requests/s' },
  API_BURST_LIMIT: { readBy: 'deploy', default: '`100`', meaning: 'API Gateway stage throttling, burst' },
  LOGIN_RATE_LIMIT: { readBy: 'deploy', default: '`20`', meaning: 'throttling of `/login` and `/fresh-login`, requests/s' },
  LOGIN_BURST_LIMIT: { readBy: 'deploy', default: '`10`', meaning: 'throttling of `/login` and `/fresh-login`, burst' },
  POWERTOOLS_LAYER_VERSION: { readBy: 'deploy', default: '`44`', meaning: 'version of AWS’s Powertools for AWS Lambda (TypeScript) layer' },
  KEYS_KMS_KEY_ARN: {
    readBy: 'deploy',
    default: 'unset',
    meaning: 'the customer-managed KMS key of the SecureString key parameters; adds `kms:Decrypt` on it to the functions that read keys',
  },
  ALARM_EMAIL: {
    readBy: 'deploy',
    default: 'unset',
    meaning: 'an address subscribed to the alarm topic (also a stack parameter, `AlarmEmail`)',
  },
  ALARM_LOCKOUTS: { readBy: 'deploy', default: '`20`', meaning: 'lockouts in 5 minutes above which the LoginLocked alarm fires' },
  WAF: {
    readBy: 'deploy',
    default: '`false`',
    meaning: '`true` puts an AWS WAF web ACL on the stage (costs money; see [WAF](deploying.md#aws-waf-opt-in))',
  },
  WAF_MODE: { readBy: 'deploy', default: '`block`', meaning: '`count` only counts what WAF would block' },
  WAF_LOGIN_RATE: {
    readBy: 'deploy',
    default: '`100`',
    meaning: 'requests per 5 minutes per source IP to `POST /login` and `POST /fresh-login`',
  },
  // Local
  PORT: {
    readBy: 'local',
    default: '`3000`',
    meaning:
      'local HTTP port; `PORT=N npm start` starts another stack beside the first, with its own database and free ports (see [Local vs AWS](local-vs-aws.md#several-stacks-on-one-machine)); `npm run users` picks the stack on `PORT`',
  },
  HOST: { readBy: 'local', default: '`127.0.0.1`', meaning: 'local HTTP host' },
  LAMBDA_PORT: {
    readBy: 'local',
    default: 'a free port, printed',
    meaning: 'serverless-offline’s Lambda Invoke API port (the authorizers run through it)',
  },
  WEBSOCKET_PORT: { readBy: 'local', default: 'a free port', meaning: 'serverless-offline’s websocket port' },
  DYNAMODB_PORT: {
    readBy: 'local',
    default: '`8000` for the stack on port 3000 while it is free, else a free port; printed',
    meaning: 'port of the local database; with it, `npm run users` works on the database on that port',
  },
  LOCAL_DATA_DIR: {
    readBy: 'local',
    default: '`.data/dynamodb/`; `.data/dynamodb-<PORT>/` for another port',
    meaning: 'where the local database keeps its data (the browser test uses a throwaway one)',
  },
  LOCAL_STACKS_DIR: {
    readBy: 'local',
    default: '`.data/stacks/`',
    meaning:
      'where each running `npm start` records its ports and process id, for `npm run users` to find its database (the tests use their own)',
  },
  BUILD_DIR: {
    readBy: 'local',
    default: '`.esbuild`',
    meaning: 'serverless-esbuild’s work folder (the template tests give each package its own)',
  },
  KEEP_BUILD: { readBy: 'local', default: '`false`', meaning: 'keep serverless-esbuild’s work folder' },
  REUSE_BUILD: {
    readBy: 'local',
    default: '`false`',
    meaning: 'package from function zips already in the package folder (serverless-esbuild’s `skipBuild`; the template tests)',
  },
  OFFLINE_FUNCTION_IDENTITIES: {
    readBy: 'local',
    default: '`false`',
    meaning: '`true`: each local function signs its AWS calls with its own access key id, its name (the IAM test)',
  },
};

const READ_BY_TITLE: Record<ReadBy, string> = {
  functions: 'Read by the functions at cold start',
  deploy: 'Read when packaging or deploying',
  local: 'Read by `npm start`, packaging and the tests on this machine',
};

/** The default and range cells of one variable: from the tables where it has a row, else from its entry. */
function defaultAndRange(name: ConfigVariable): [string, string] {
  if (name in INTEGER_DEFAULTS) {
    const [fallback, min, max] = INTEGER_DEFAULTS[name as keyof typeof INTEGER_DEFAULTS];
    return [`\`${fallback}\``, `${min}–${max}`];
  }
  if (name in TEXT_DEFAULTS) return [`\`${TEXT_DEFAULTS[name as keyof typeof TEXT_DEFAULTS]}\``, ''];
  return [CONFIG_REFERENCE[name].default ?? 'unset', ''];
}

/** The generated reference: one table per reader, each variable with its default, range and meaning. */
export function renderConfigReference(): string {
  const names = Object.keys(CONFIG_REFERENCE) as ConfigVariable[];
  const sections = (Object.keys(READ_BY_TITLE) as ReadBy[]).map((readBy) => {
    const rows = names
      .filter((name) => CONFIG_REFERENCE[name].readBy === readBy)
      .map((name) => {
        const [fallback, range] = defaultAndRange(name);
        return `| \`${name}\` | ${fallback} | ${range} | ${CONFIG_REFERENCE[name].meaning} |`;
      });
    return [`### ${READ_BY_TITLE[readBy]}`, '', '| variable | default | range | meaning |', '| --- | --- | --- | --- |', ...rows].join(
      '\n',
    );
  });
  return `${sections.join('\n\n')}\n`;
}
