import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { seedDemoUser } from '../../../scripts/local-db';
import { answerPattern, docBlocks, docFiles, shellSteps, type ShellStep } from '../../helpers/doc-blocks';
import { TEST_SCRYPT } from '../../helpers/test-config';
import { waitFor } from '../../helpers/wait-for';
import { sharedStack } from '../shared-stacks';

/** The README's curl flow, then every block marked to run after it, in the order of the docs. */
const blocks = docFiles()
  .flatMap(docBlocks)
  .filter((block) => block.marker === 'run (the curl flow)' || block.marker === 'run after the curl flow')
  .sort((a, b) => Number(b.marker === 'run (the curl flow)') - Number(a.marker === 'run (the curl flow)'));
const steps = blocks.flatMap((block) => shellSteps(block.code).map((step) => ({ ...step, at: `${block.file}:${block.line}` })));

// The standard stack, shared with tests/e2e/fresh-token-flow.test.ts (which makes no `test` user).
const api = sharedStack('standard');

beforeAll(async () => {
  await api.ready();
  // npm start's demo user, hashed at the tests' cost like every other user of the stack.
  await seedDemoUser(api.db.endpoint, api.db.env.USERS_TABLE, TEST_SCRYPT);
  // The flow compares answers, not timings: let the functions it calls first start before it runs
  // (a body that is not JSON gets a 4xx without touching a password or a token).
  for (const route of ['/login', '/fresh-login', '/refresh', '/logout'])
    await waitFor(
      `${route} to answer`,
      async () => {
        const answer = await fetch(`${api.baseUrl}${route}`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: 'warm-up',
        });
        return answer.status >= 400 && answer.status < 500 ? true : undefined;
      },
      { deadlineMs: 120_000 },
    );
});

describe('the curl flow of the README', () => {
  it('answers, step by step, what the docs show (tokens, ids and times masked as …)', async () => {
    expect(blocks[0]?.file).toBe('README.md');
    expect(steps.filter((step) => step.answer.length > 0).length).toBeGreaterThan(10);
    // One bash for the whole flow, as a user pastes it; each step's output is told apart by a marker line.
    const script = steps
      .map((step: ShellStep, i) => `printf '\\n@@step ${i}@@\\n'\n${step.commands.filter((c) => !/^BASE=/.test(c)).join('\n')}`)
      .join('\n');
    const home = mkdtempSync(path.join(tmpdir(), 'fresh-token-curl-flow-'));
    const logFrom = api.output().length;
    try {
      const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], {
        cwd: home,
        env: { PATH: process.env.PATH, HOME: home, TMPDIR: home, BASE: api.baseUrl },
        maxBuffer: 16 * 1024 * 1024,
      });
      // What went wrong inside the stack, if anything did.
      expect({ stderr, stack: stderr === '' ? '' : api.output().slice(-4000) }).toEqual({ stderr: '', stack: '' });
      const outputs = stdout
        .replace(/\r\n/g, '\n')
        .split(/\n@@step \d+@@\n/)
        .slice(1)
        .map((output) => output.replace(/\n$/, ''));
      expect(outputs).toHaveLength(steps.length);
      const mismatches = steps.flatMap((step, i) => {
        const output = outputs[i]!;
        const expected = step.answer.length === 0 ? output === '' : answerPattern(step.answer).test(output);
        return expected ? [] : [{ at: step.at, command: step.commands[0], shown: step.answer.join('\n'), answered: output }];
      });
      expect(mismatches).toEqual([]);
      // What npm start prints meanwhile: a line per invocation, no stack trace (its 401s are expected).
      expect(api.output().slice(logFrom)).not.toMatch(/Unhandled|^\s+at /m);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
