import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEV_JWT_SECRET, INTEGER_DEFAULTS, TEXT_DEFAULTS } from '../../src/config/config';

// Every default has one home, src/config/config.ts. serverless.yml passes what the operator set
// and an empty value otherwise (read as unset); where the template itself needs a value at
// package time (JWT_ALG for IAM, CORS for the Gateway Responses), it must agree with the code.

const ROOT = path.resolve(__dirname, '../..');
type Printed = { functions: Record<string, { environment?: Record<string, string> }>; provider: { environment: Record<string, string> } };

let printed: Printed;

beforeAll(async () => {
  // The deploying shell sets none of the product's settings.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !(name in TEXT_DEFAULTS) && !(name in INTEGER_DEFAULTS) && !/^(JWT_|CORS_|RECENT_|ANY_VALID_)/.test(name),
    ),
  );
  const { stdout } = await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/serverless'),
    ['print', '--stage', 'prod', '--format', 'json'],
    {
      cwd: ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  printed = JSON.parse(stdout) as Printed;
}, 300_000);

/** Every variable serverless.yml gives any function, with the function's name. */
function variables(): [string, string, string][] {
  const provider = Object.entries(printed.provider.environment).map(([name, value]): [string, string, string] => [
    '(provider)',
    name,
    value,
  ]);
  const own = Object.entries(printed.functions).flatMap(([fn, { environment = {} }]) =>
    Object.entries(environment).map(([name, value]): [string, string, string] => [fn, name, String(value)]),
  );
  return [...provider, ...own];
}

describe('serverless.yml and src/config/config.ts', () => {
  it('agree on every default: the yml passes nothing, or the very value the code would use', () => {
    const disagreements: string[] = [];
    for (const [fn, name, value] of variables()) {
      if (name === 'STAGE' || value === '') continue;
      const text = (TEXT_DEFAULTS as Record<string, string>)[name];
      const integer = (INTEGER_DEFAULTS as Record<string, readonly number[]>)[name];
      if (text !== undefined && value !== text) disagreements.push(`${fn}: ${name}=${value}, code default ${text}`);
      // FRESH_MAX_AGE of fresh-recent is that route's own setting (RECENT_MAX_AGE), not a default.
      if (integer !== undefined && !(fn === 'fresh-recent' && name === 'FRESH_MAX_AGE'))
        disagreements.push(`${fn}: ${name}=${value}, but defaults belong to the code (${integer[0]})`);
    }
    expect(disagreements).toEqual([]);
  });

  it('hold the development secret in the code only', () => {
    expect(readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')).not.toContain(DEV_JWT_SECRET);
    expect(JSON.stringify(printed)).not.toContain(DEV_JWT_SECRET);
  });
});
