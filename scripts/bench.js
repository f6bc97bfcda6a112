// `npm run bench`: figures for the hot path and the bundles, all measured in this one run.
// Builds the functions exactly as `serverless package` does, then measures the built bundles.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { createHmac, timingSafeEqual } = require('node:crypto');
const { existsSync, readFileSync, rmSync, statSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const ROOT = path.resolve(__dirname, '..');
const BUILD_DIR = '.esbuild-bench';
const BUILT = path.join(ROOT, BUILD_DIR, '.build');
const FUNCTIONS = {
  'any-valid': 'authorizers/any-valid.mjs',
  'fresh-only': 'authorizers/fresh-only.mjs',
  login: 'functions/login.mjs',
  'fresh-login': 'functions/fresh-login.mjs',
  refresh: 'functions/refresh.mjs',
  protected: 'functions/protected.mjs',
  'protected-fresh': 'functions/protected-fresh.mjs',
};
const ENV = {
  STAGE: 'local',
  JWT_SECRET: 'benchmark-secret-0123456789abcdef-0123456789',
  DEMO_USERS: 'true',
  POWERTOOLS_LOG_LEVEL: 'WARN',
};
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/GET/protected';
const TARGETS = { authorizerVsJose: 1.2, authorizerBundleBytes: 20 * 1024 };

function build() {
  rmSync(path.join(ROOT, BUILD_DIR), { recursive: true, force: true });
  const out = mkdtempSync(path.join(tmpdir(), 'fresh-token-bench-'));
  execFileSync(path.join(ROOT, 'node_modules/.bin/serverless'), ['package', '--stage', 'local', '--package', out], {
    cwd: ROOT,
    env: { ...process.env, ...ENV, BUILD_DIR, KEEP_BUILD: 'true' },
    stdio: 'ignore',
  });
  rmSync(out, { recursive: true, force: true });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs each candidate in interleaved rounds so drift on a noisy machine hits all of them alike. */
async function compare(candidates, { rounds = 20, perRound = 500, warmup = 2000 } = {}) {
  const samples = Object.fromEntries(Object.keys(candidates).map((name) => [name, []]));
  for (const run of Object.values(candidates)) for (let i = 0; i < warmup; i++) await run();
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(candidates)) {
      const bucket = samples[name];
      for (let i = 0; i < perRound; i++) {
        const start = process.hrtime.bigint();
        await run();
        bucket.push(Number(process.hrtime.bigint() - start) / 1000);
      }
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => {
      values.sort((a, b) => a - b);
      return [name, { p50: percentile(values, 50), p99: percentile(values, 99), mean: values.reduce((a, b) => a + b, 0) / values.length }];
    }),
  );
}

async function importBundle(relative) {
  return import(pathToFileURL(path.join(BUILT, relative)).href);
}

function context(name) {
  return { functionName: name, awsRequestId: 'bench', invokedFunctionArn: `arn:aws:lambda:eu-west-1:1:function:${name}`, memoryLimitInMB: '256' };
}

async function main() {
  Object.assign(process.env, ENV);
  build();
  const jose = await import('jose');
  const fmt = (n, digits = 1) => n.toFixed(digits).padStart(8);

  // A real token from the built login function.
  const login = (await importBundle(FUNCTIONS.login)).handler;
  const loginEvent = (username, password) => ({
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
    isBase64Encoded: false,
    requestContext: {},
  });
  const issued = await login(loginEvent('test', 'test'), context('login'));
  const token = JSON.parse(issued.body).access_token;

  // Authorizer hot path against raw jose and the HMAC floor, on the same token.
  const authorizer = (await importBundle(FUNCTIONS['any-valid'])).handler;
  const authorizerEvent = { type: 'REQUEST', methodArn: METHOD_ARN, headers: { Authorization: `Bearer ${token}` } };
  const secret = new TextEncoder().encode(ENV.JWT_SECRET);
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const verifyOptions = { algorithms: ['HS256'], issuer: 'fresh-token-lambda', audience: 'fresh-token-lambda' };
  const [header, payload, signature] = token.split('.');
  const signingInput = `${header}.${payload}`;
  const expected = Buffer.from(signature, 'base64url');
  const ctx = context('any-valid');
  const check = await authorizer(authorizerEvent, ctx);
  if (check.policyDocument.Statement[0].Effect !== 'Allow') throw new Error('authorizer did not allow the benchmark token');

  const hot = await compare({
    authorizer: () => authorizer(authorizerEvent, ctx),
    joseCryptoKey: () => jose.jwtVerify(token, key, verifyOptions),
    joseRawSecret: () => jose.jwtVerify(token, secret, verifyOptions),
    hmacFloor: () => {
      const mac = createHmac('sha256', secret).update(signingInput).digest();
      if (!timingSafeEqual(mac, expected)) throw new Error('bad mac');
    },
  });

  console.log('Authorizer hot path (µs/op, warm, same token; interleaved rounds)');
  console.log('                                   p50      p99     mean');
  const row = (label, r) => console.log(`  ${label.padEnd(30)}${fmt(r.p50)} ${fmt(r.p99)} ${fmt(r.mean)}`);
  row('any-valid authorizer (bundle)', hot.authorizer);
  row('jose.jwtVerify, CryptoKey', hot.joseCryptoKey);
  row('jose.jwtVerify, raw secret', hot.joseRawSecret);
  row('node:crypto HMAC-SHA256 floor', hot.hmacFloor);
  const ratio = hot.authorizer.p50 / hot.joseCryptoKey.p50;
  console.log(`  ratio authorizer / jose (p50):   ${ratio.toFixed(2)}x  (target <= ${TARGETS.authorizerVsJose}x: ${ratio <= TARGETS.authorizerVsJose ? 'met' : 'MISSED'})`);
  console.log(`  ratio jose / HMAC floor (p50):   ${(hot.joseCryptoKey.p50 / hot.hmacFloor.p50).toFixed(1)}x`);
  console.log(`  ratio raw secret / CryptoKey:    ${(hot.joseRawSecret.p50 / hot.joseCryptoKey.p50).toFixed(2)}x  (why keys are imported once)`);

  // Login cost: scrypt dominates; an unknown user must cost the same as a wrong password.
  const timeLogins = async (username, password, n) => {
    const times = [];
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      const response = await login(loginEvent(username, password), context('login'));
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (response.statusCode !== (password === 'test' && username === 'test' ? 200 : 401)) throw new Error(`unexpected login status ${response.statusCode}`);
    }
    times.sort((a, b) => a - b);
    return percentile(times, 50);
  };
  const loginRounds = 4;
  const logins = { ok: [], wrong: [], unknown: [] };
  for (let i = 0; i < loginRounds; i++) {
    logins.ok.push(await timeLogins('test', 'test', 1));
    logins.wrong.push(await timeLogins('test', 'wrong', 1));
    logins.unknown.push(await timeLogins('nobody', 'wrong', 1));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log('\nLogin (ms/op, median of interleaved runs; scrypt N=2^17, r=8, p=1)');
  console.log(`  right password                  ${fmt(median(logins.ok))}`);
  console.log(`  wrong password                  ${fmt(median(logins.wrong))}`);
  console.log(`  unknown user                    ${fmt(median(logins.unknown))}  (ratio to wrong password: ${(median(logins.unknown) / median(logins.wrong)).toFixed(2)}x)`);

  // Bundles: size and cold load, each in a fresh process.
  console.log('\nBundles (minified, as packaged)             bytes   cold load ms (median of 5)   AWS SDK inside');
  for (const [name, relative] of Object.entries(FUNCTIONS)) {
    const file = path.join(BUILT, relative);
    const bytes = statSync(file).size;
    const source = readFileSync(file, 'utf8');
    const hasSdk = /@aws-sdk\//.test(source) || /\bDynamoDBClient\b/.test(source);
    const loads = [];
    for (let i = 0; i < 5; i++) {
      const probe = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const t=performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now()-t)`],
        { env: { ...process.env, ...ENV }, encoding: 'utf8' },
      );
      if (probe.status !== 0) throw new Error(`loading ${relative} failed: ${probe.stderr}`);
      loads.push(Number(probe.stdout.trim()));
    }
    const isAuthorizer = relative.startsWith('authorizers/');
    const sizeNote = isAuthorizer ? (bytes <= TARGETS.authorizerBundleBytes ? ' (<= 20 KiB: met)' : ' (<= 20 KiB: MISSED)') : '';
    console.log(`  ${name.padEnd(16)}${String(bytes).padStart(28)}${fmt(median(loads), 2).padStart(20)}${(hasSdk ? 'yes' : 'no').padStart(22)}${sizeNote}`);
  }
  rmSync(path.join(ROOT, BUILD_DIR), { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
