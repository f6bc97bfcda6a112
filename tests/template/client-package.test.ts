import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// The client as an app gets it: `npm pack` of this repository (which builds client/dist), installed
// by npm from the tarball into a fresh project outside the repository, then imported from plain
// Node and type-checked as a Node app and as a browser app would check it. Needs the npm registry
// (the tarball's dependencies, TypeScript), as the runtime tests of this tier do.

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

let work: string;
let app: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'fresh-token-client-package-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }];
  app = path.join(work, 'app');
  await run('mkdir', ['-p', app]);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // Scripts run as they would for the app (a dependency's install script that failed would fail this).
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      path.join(work, filename),
      `typescript@${versionOf('typescript')}`,
      `@types/node@${versionOf('@types/node')}`,
    ],
    { cwd: app, maxBuffer: 16 * 1024 * 1024 },
  );
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the client as npm pack ships it', () => {
  it('holds the client build, its types and its module scope, and nothing of the server’s code', () => {
    const installed = path.join(app, 'node_modules', 'fresh-token-lambda');
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'client', 'package.json']);
    expect(readdirSync(path.join(installed, 'client')).sort()).toEqual(['dist', 'package.json']);
    expect(readdirSync(path.join(installed, 'client', 'dist'))).toEqual(expect.arrayContaining(['index.js', 'index.d.ts']));
  });

  it('imports from plain Node ESM, and answers a call to nowhere with a typed error', async () => {
    writeFileSync(
      path.join(app, 'main.mjs'),
      `import { createClient, NetworkError } from 'fresh-token-lambda/client';
const client = createClient({ baseUrl: 'http://127.0.0.1:9', tokens: 'memory' });
const error = await client.request('GET', '/protected').catch((err) => err);
console.log(JSON.stringify({ network: error instanceof NetworkError, code: error.code, status: error.status }));
`,
    );
    const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ network: true, code: 'ERR_NETWORK', status: 0 });
  });

  it.each([
    ['a Node app (NodeNext, no DOM)', { module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'] }],
    ['a browser app (a bundler, the DOM, no Node)', { module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], types: [] }],
  ])('type-checks with its types in %s, its own .d.ts files included', async (name, options) => {
    writeFileSync(
      path.join(app, 'app.ts'),
      `import { createClient, HttpError, type Account, type paths } from 'fresh-token-lambda/client';

const client = createClient({ baseUrl: 'https://api.example.com/prod', tokens: 'memory', onStepUp: () => ({ password: 'secret' }) });
client.addEventListener('signed-out', (event) => console.log(event.detail.reason, event.detail.msg));

export async function show(): Promise<string> {
  const me: Account = await client.account.get();
  const { data } = await client.api.GET('/me/passkeys');
  type Me = paths['/me']['get']['responses'][200]['content']['application/json'];
  const same: Me = me;
  try {
    await client.sessions.end('x');
  } catch (err) {
    if (err instanceof HttpError) return \`\${err.status} \${err.msg}\`;
  }
  return \`\${same.username} \${data?.passkeys.length ?? 0}\`;
}
`,
    );
    const tsconfig = {
      compilerOptions: { target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, ...options },
      files: ['app.ts'],
    };
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify(tsconfig));
    const result = await run(process.execPath, [path.join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: app }).then(
      () => 'compiles',
      (err: Error & { stdout?: string }) => err.stdout ?? err.message,
    );
    expect({ name, result }).toEqual({ name, result: 'compiles' });
  });
});
