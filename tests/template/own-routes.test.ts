import SwaggerParser from '@apidevtools/swagger-parser';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIV3_1 } from 'openapi-types';
import { isMap, isScalar, parseDocument } from 'yaml';
import { LOCAL_REGION, readTableNames } from '../../scripts/local-db';
import { freePort } from '../../scripts/offline';
import { createDocumentClient } from '../../src/platform/dynamo-client';
import { createDynamoUserStore } from '../../src/users/dynamo-user-store';
import type { ApiRoute, Guard } from '../../src/http/api-routes';
import { answerPattern, docBlocks, ROOT, shellSteps, type DocBlock, type ShellStep } from '../helpers/doc-blocks';
import { serviceRoutes } from '../helpers/service-routes';
import { templateMethods, type TemplateResource } from '../helpers/template-api';
import { waitFor } from '../helpers/wait-for';
import { NEUTRAL_ENV } from './packaged-prod';

// docs/own-routes.md, run as written on a scratch copy of the project (node_modules linked, not
// copied): its files written, its functions added to serverless.yml, its commands run (lint,
// typecheck, package, npm start on free ports), and its calls answered as it shows. A step that is
// missing or wrong fails the test that names it (the doc's line and heading).
//
// The one line not run as written is the calls' `sleep`: instead of idling through it, the test
// logs in once more and asks the max-age route with that token every two seconds (while lint,
// typecheck and packaging run) until it is refused; that token is younger than the doc's, so the
// doc's is then older than the limit too. The refusal must come no earlier than the limit, and
// every acceptance no later.

const DOC = 'docs/own-routes.md';
const doc = readFileSync(path.join(ROOT, DOC), 'utf8').split('\n');
const blocks = docBlocks(DOC).filter((block) => block.marker?.startsWith('own-route '));

/** Where a block is, for a reader: the line and the heading it sits under. */
function stepName(block: DocBlock): string {
  const heading = doc
    .slice(0, block.line - 1)
    .reverse()
    .find((line) => /^#{2,4} /.test(line));
  return `${DOC}:${block.line} “${heading?.replace(/^#+ /, '') ?? 'the top'}”`;
}

const files = blocks.filter((block) => /^own-route (functions|authorizers)\//.test(block.marker!));
const functionBlocks = blocks.filter((block) => block.marker === 'own-route serverless.yml functions');
const commandBlock = blocks.find((block) => block.marker === 'own-route commands');
const callBlocks = blocks.filter((block) => block.marker === 'own-route calls');

/** The functions the doc adds, by name, each with the step that adds it. */
const added = functionBlocks.flatMap((block) => {
  // As YAML nodes: their aliases (*requestAuthorizer) resolve only inside serverless.yml.
  const functions = parseDocument(block.code).get('functions');
  if (!isMap(functions)) throw new Error(`${stepName(block)}: functions to add sit under "functions:"`);
  return functions.items.map((pair) => {
    const fn = pair.value;
    return {
      name: String(isScalar(pair.key) ? pair.key.value : pair.key),
      handler: isMap(fn) ? String(fn.get('handler')) : undefined,
      step: stepName(block),
    };
  });
});

/** The commands of step 3, comments stripped. */
const commands = (commandBlock?.code ?? '')
  .split('\n')
  .map((line) => line.replace(/\s+#.*$/, '').trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const START = 'npm start';

/** The calls as steps, each named; the `sleep` line splits them into what runs before and after the wait. */
interface CallStep extends ShellStep {
  readonly at: string;
}
const calls: CallStep[] = callBlocks.flatMap((block) => shellSteps(block.code).map((step) => ({ ...step, at: stepName(block) })));
const sleepAt = calls.findIndex((step) => /^sleep \d+$/.test(step.commands[0] ?? ''));
const sleepSeconds = sleepAt < 0 ? 0 : Number(calls[sleepAt]!.commands[0]!.split(' ')[1]);
const beforeWait = sleepAt < 0 ? calls : calls.slice(0, sleepAt);
const afterWait = sleepAt < 0 ? [] : [{ ...calls[sleepAt]!, commands: calls[sleepAt]!.commands.slice(1) }, ...calls.slice(sleepAt + 1)];

let copy: string;
let home: string;
let base: string;
let server: ChildProcess | undefined;
let serverOutput = '';
/** The environment of a shell in the copy: this one's, without what would change a package. */
let shellEnv: NodeJS.ProcessEnv;

/** The project without node_modules (linked instead) and without what .gitignore keeps out of it. */
function copyProject(to: string): void {
  const ignored = readFileSync(path.join(ROOT, '.gitignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim().replace(/\/$/, ''))
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  cpSync(ROOT, to, {
    recursive: true,
    filter: (source) => {
      const top = path.relative(ROOT, source).split(path.sep)[0] ?? '';
      return top === '' || (top !== '.git' && top !== 'node_modules' && !ignored.some((glob) => glob.test(top)));
    },
  });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(to, 'node_modules'), 'dir');
}

/** serverless.yml with a step's functions added under `functions:`, as the doc says to. */
function addFunctions(yml: string, block: DocBlock): string {
  const lines = block.code.split('\n');
  if (lines[0] !== 'functions:') throw new Error(`${stepName(block)}: functions to add start with "functions:"`);
  const all = yml.split('\n');
  const at = all.indexOf('functions:');
  if (at < 0) throw new Error('serverless.yml has no top-level "functions:"');
  return [...all.slice(0, at + 1), ...lines.slice(1), '', ...all.slice(at + 1)].join('\n');
}

/** Runs a shell command line in the copy: its exit code and output. */
async function run(command: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', command], {
      cwd: copy,
      env: shellEnv,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const { code, stdout = '', stderr = '' } = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof code === 'number' ? code : -1, output: stdout + stderr };
  }
}

/** Starts `npm start` (step 3) in the copy, on free ports, and waits until it answers. */
async function startServer(): Promise<void> {
  const [port, databasePort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  server = spawn('bash', ['-c', START], {
    cwd: copy,
    env: { ...shellEnv, PORT: String(port), DYNAMODB_PORT: String(databasePort) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    server!.once('exit', (code) => reject(new Error(`${stepName(commandBlock!)}: \`${START}\` exited (${code}):\n${serverOutput}`))),
  );
  exited.catch(() => undefined);
  // Ready as npm start says it is: serving, with the demo user the calls log in as (added while
  // serverless-offline starts, so the first answers can come before it).
  const client = createDocumentClient({ region: LOCAL_REGION, dynamodbEndpoint: `http://127.0.0.1:${databasePort}` });
  const users = createDynamoUserStore(client, (await readTableNames('local')).USERS_TABLE);
  try {
    await Promise.race([
      exited,
      waitFor(
        `${START} in the copy to answer, with the demo user`,
        async () => {
          const answer = await fetch(`${base}/openapi.json`).catch(() => undefined);
          if (answer?.status !== 200) return undefined;
          return (await users.findUser('test').catch(() => undefined)) ? true : undefined;
        },
        { intervalMs: 500, deadlineMs: 240_000 },
      ),
    ]);
  } finally {
    client.destroy();
  }
}

/** Stops `npm start` as Ctrl-C would (its whole process group), and waits until its port is closed. */
async function stopServer(): Promise<void> {
  if (server?.pid === undefined || server.exitCode !== null) return;
  const gone = new Promise((resolve) => server!.once('exit', resolve));
  process.kill(-server.pid, 'SIGINT');
  await gone;
  await waitFor('the copy’s API to stop', async () => ((await fetch(`${base}/`).catch(() => undefined)) === undefined ? true : undefined), {
    deadlineMs: 60_000,
  });
}

/** Runs call steps in one bash, `before` sourced first; each step's output, and the variables the steps set. */
async function runCalls(steps: readonly CallStep[], state: string): Promise<string[]> {
  const variables = [...new Set(calls.flatMap((step) => step.commands.flatMap((line) => /^([A-Za-z_]\w*)=/.exec(line)?.[1] ?? [])))];
  const script = [
    existsSync(state) ? `source ${JSON.stringify(state)}` : '',
    ...steps.map((step, i) => `printf '\\n@@step ${i}@@\\n'\n${step.commands.filter((line) => !/^BASE=/.test(line)).join('\n')}`),
    `declare -p ${variables.filter((name) => name !== 'BASE').join(' ')} > ${JSON.stringify(state)} 2>/dev/null || true`,
  ].join('\n');
  const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], {
    cwd: home,
    env: { PATH: process.env.PATH, HOME: home, TMPDIR: home, BASE: base },
    maxBuffer: 16 * 1024 * 1024,
  });
  expect({ stderr }).toEqual({ stderr: '' });
  return stdout
    .replace(/\r\n/g, '\n')
    .split(/\n@@step \d+@@\n/)
    .slice(1)
    .map((output) => output.replace(/\n$/, ''));
}

/** Each step whose output is not the answer the doc shows. */
function mismatches(steps: readonly CallStep[], outputs: readonly string[]) {
  expect(outputs).toHaveLength(steps.length);
  return steps.flatMap((step, i) => {
    const output = outputs[i]!;
    const expected = step.answer.length === 0 ? output === '' : answerPattern(step.answer).test(output);
    return expected ? [] : [{ step: step.at, command: step.commands.join('\n'), shown: step.answer.join('\n'), answered: output }];
  });
}

/** The route behind an authorizer of the doc's with a max age, and that authorizer. */
function maxAgeRoute(): { route: ApiRoute; guard: Guard & { maxAgeSeconds: number } } {
  const names = new Set(added.map((fn) => fn.name));
  const route = serviceRoutes(path.join(copy, 'serverless.yml')).find(
    (each) => names.has(each.function) && each.guard?.maxAgeSeconds !== undefined && names.has(each.guard.name),
  );
  if (!route) throw new Error(`${DOC}: no route of its own behind an authorizer of its own with FRESH_MAX_AGE`);
  return { route, guard: route.guard as Guard & { maxAgeSeconds: number } };
}

/** What asking the max-age route with a fresh token every two seconds saw: when it was accepted, when refused. */
interface MaxAgeWatch {
  readonly authTime: number;
  readonly acceptedAt: number[];
  readonly refused: { at: number; status: number; body: string };
}
let watch: Promise<MaxAgeWatch> | undefined;

async function watchMaxAge(): Promise<MaxAgeWatch> {
  const { route } = maxAgeRoute();
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'test', password: 'test' }),
  });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const authTime = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { auth_time: number }).auth_time;
  const acceptedAt: number[] = [];
  const url = `${base}${route.path.replace(/\{\w+\}/g, '42')}`;
  const refused = await waitFor(
    `${route.method.toUpperCase()} ${route.path} to refuse a token whose password is older than its max age`,
    async () => {
      const sent = Math.floor(Date.now() / 1000);
      const answer = await fetch(url, { method: route.method.toUpperCase(), headers: { Authorization: `Bearer ${token}` } });
      const body = await answer.text();
      if (answer.status === 200) {
        acceptedAt.push(sent);
        return undefined;
      }
      return { at: Math.floor(Date.now() / 1000), status: answer.status, body };
    },
    { intervalMs: 2000, deadlineMs: 400_000 },
  );
  return { authTime, acceptedAt, refused };
}

beforeAll(async () => {
  copy = mkdtempSync(path.join(tmpdir(), 'fresh-token-own-routes-'));
  home = mkdtempSync(path.join(tmpdir(), 'fresh-token-own-routes-home-'));
  shellEnv = { ...process.env, ...NEUTRAL_ENV, NODE_ENV: undefined, PORT: undefined, DYNAMODB_PORT: undefined, LAMBDA_PORT: undefined };
  copyProject(copy);
  for (const block of files) writeFileSync(path.join(copy, block.marker!.replace('own-route ', '')), `${block.code}\n`);
  let yml = readFileSync(path.join(copy, 'serverless.yml'), 'utf8');
  for (const block of functionBlocks) yml = addFunctions(yml, block);
  writeFileSync(path.join(copy, 'serverless.yml'), yml);
  // Every file step first, so one `npm start` serves both sections (the second says to restart it).
  if (commands.includes(START)) await startServer();
}, 300_000);

afterAll(async () => {
  await stopServer();
  if (copy) rmSync(copy, { recursive: true, force: true });
  if (home) rmSync(home, { recursive: true, force: true });
}, 120_000);

describe(`${DOC}, applied to a scratch copy of the project`, () => {
  it('has every step: a handler file, its serverless.yml entry, the commands with npm start, and calls with their answers', () => {
    expect({
      files: files.length > 0,
      functions: added.length > 0,
      commands: commands.includes(START),
      calls: calls.filter((step) => step.answer.length > 0).length,
    }).toEqual({ files: true, functions: true, commands: true, calls: expect.any(Number) });
    expect(calls.filter((step) => step.answer.length > 0).length).toBeGreaterThanOrEqual(4);
  });

  it.each(added.map((fn) => [fn.step, fn.name, fn.handler]))('%s: %s’s handler %s is a file of the copy', (step, name, handler) => {
    const file = `${String(handler).slice(0, String(handler).lastIndexOf('.'))}.ts`;
    expect({ step, name, file, exists: existsSync(path.join(copy, file)) }).toEqual({ step, name, file, exists: true });
  });

  it(`${callBlocks[0] ? stepName(callBlocks[0]) : 'the calls'}: the calls before the wait answer as shown`, async () => {
    const outputs = await runCalls(beforeWait, path.join(home, 'state.sh'));
    const wrong = mismatches(beforeWait, outputs);
    // What the stack said meanwhile, when a step went wrong.
    expect({ wrong, log: wrong.length === 0 ? '' : serverOutput.slice(-4000) }).toEqual({ wrong: [], log: '' });
    // The doc's token is older than this one: once this one is refused, the doc's is too.
    watch = watchMaxAge();
    watch.catch(() => undefined);
  }, 120_000);

  it.each(commands.filter((command) => command !== START).map((command) => [commandBlock ? stepName(commandBlock) : '', command]))(
    '%s: `%s` passes on the copy',
    async (step, command) => {
      const { code, output } = await run(command);
      // A file the doc wrote, named in the output, is traced back to the step that wrote it.
      const from = files.filter((block) => output.includes(block.marker!.replace('own-route ', '')));
      expect({
        step,
        command,
        code,
        output: code === 0 ? '' : output.slice(-6000),
        written: code === 0 ? [] : from.map((block) => `${block.marker!.replace('own-route ', '')} is ${stepName(block)}`),
      }).toEqual({ step, command, code: 0, output: '', written: [] });
    },
    600_000,
  );

  it('packages each added route behind the authorizer its entry names, that authorizer with its own settings', () => {
    const template = path.join(copy, '.serverless', 'cloudformation-template-update-stack.json');
    expect({ packaged: existsSync(template) }).toEqual({ packaged: true });
    const resources = (JSON.parse(readFileSync(template, 'utf8')) as { Resources: Record<string, TemplateResource> }).Resources;
    const names = new Set(added.map((fn) => fn.name));
    const declared = serviceRoutes(path.join(copy, 'serverless.yml')).filter((route) => names.has(route.function));
    expect(declared.length).toBeGreaterThan(0);
    const functionName = (id: string) => String(resources[id]?.Properties.FunctionName).replace(/^fresh-token-lambda-prod-/, '');
    const packaged = templateMethods(resources).map((method) => ({
      route: method.route,
      function: functionName(method.functionId),
      authorizer: method.authorizer,
    }));
    for (const route of declared)
      expect(packaged).toContainEqual({ route: `${route.method} ${route.path}`, function: route.function, authorizer: route.guard?.name });
    const { guard } = maxAgeRoute();
    const authorizer = Object.values(resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === `fresh-token-lambda-prod-${guard.name}`,
    );
    expect((authorizer?.Properties.Environment as { Variables: Record<string, string> }).Variables.FRESH_MAX_AGE).toBe(
      String(guard.maxAgeSeconds),
    );
  });

  it(`${callBlocks.at(-1) ? stepName(callBlocks.at(-1)!) : 'the calls'}: the max-age authorizer takes a fresh token until its password is older than the limit, then refuses it, and the calls after the wait answer as shown`, async () => {
    const { guard } = maxAgeRoute();
    expect({ sleep: sleepSeconds > guard.maxAgeSeconds }).toEqual({ sleep: true });
    // Started after the calls above, so their token is the older; started here if they failed.
    const seen = await (watch ?? watchMaxAge());
    expect(seen.acceptedAt.length).toBeGreaterThan(0);
    // Accepted only while at most max age seconds old (by the seconds the server counts), refused only after.
    expect(seen.acceptedAt.filter((at) => at - seen.authTime > guard.maxAgeSeconds)).toEqual([]);
    expect({ old: seen.refused.at - seen.authTime > guard.maxAgeSeconds, status: seen.refused.status, body: seen.refused.body }).toEqual({
      old: true,
      status: 401,
      body: '{"msg":"Fresh token required"}',
    });
    const outputs = await runCalls(afterWait, path.join(home, 'state.sh'));
    const wrong = mismatches(afterWait, outputs);
    expect({ wrong, log: wrong.length === 0 ? '' : serverOutput.slice(-4000) }).toEqual({ wrong: [], log: '' });
  }, 600_000);

  it('describes the added routes in the copy’s /openapi.json, each with its guard, its security and its refusals', async () => {
    const document = (await (await fetch(`${base}/openapi.json`)).json()) as OpenAPIV3_1.Document;
    await expect(SwaggerParser.validate(structuredClone(document))).resolves.toBeDefined();
    const names = new Set(added.map((fn) => fn.name));
    for (const route of serviceRoutes(path.join(copy, 'serverless.yml')).filter((each) => names.has(each.function))) {
      const operation = document.paths?.[route.path]?.[route.method] as OpenAPIV3_1.OperationObject & { 'x-authorizer'?: Guard };
      expect({ route: route.path, guard: operation?.['x-authorizer'], security: operation?.security }).toEqual({
        route: route.path,
        guard: route.guard,
        security: [{ bearer: [] }],
      });
      expect(Object.keys(operation.responses ?? {})).toEqual(expect.arrayContaining(['200', '401']));
    }
    const { route } = maxAgeRoute();
    expect(document.paths?.[route.path]?.[route.method]?.description).toContain(
      `a fresh access token, the password proven at most ${maxAgeRoute().guard.maxAgeSeconds} s ago`,
    );
  });
});
