import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import ts from 'typescript';
import { loadTransportConfig } from '../../../src/config/config';
import { openApiDocument } from '../../../src/http/openapi';
import { curlTarget, docBlocks, docFiles, ROOT, shellSteps, type DocBlock } from '../../helpers/doc-blocks';
import { serviceRoutes } from '../../helpers/service-routes';

const blocks = docFiles().flatMap(docBlocks);
const where = (block: DocBlock) => `${block.file}:${block.line}`;
const SKIP = /^skip \(.+\)$/;
const OWN_ROUTE_FILE = /^own-route (functions|authorizers)\/[\w-]+\.ts$/;
const OWN_ROUTE_SHELL = /^own-route (commands|calls)$/;
const OWN_ROUTE_YAML = /^own-route serverless\.yml functions$/;

/** What each language's blocks may be marked with; an unmarked block must be of a language checked here. */
function markerProblem(block: DocBlock): string | undefined {
  const { lang, marker } = block;
  if (marker !== undefined && SKIP.test(marker)) return undefined;
  // docs/own-routes.md's steps, applied to a scratch copy by tests/template/own-routes.test.ts.
  const ownRoute = { ts: OWN_ROUTE_FILE, sh: OWN_ROUTE_SHELL, yaml: OWN_ROUTE_YAML }[lang];
  if (marker !== undefined && ownRoute?.test(marker)) return undefined;
  if (lang === 'ts')
    return marker === undefined
      ? undefined
      : `a TypeScript block is always type-checked; drop "${marker}" (or name the file it becomes: own-route functions/<name>.ts)`;
  if (lang === 'sh' || lang === 'bash')
    return marker === 'run (the curl flow)' || marker === 'run after the curl flow' || marker?.startsWith('ssm (run by ')
      ? undefined
      : 'a shell block runs with the curl flow (<!-- doc-check: run after the curl flow -->), against the SSM stand-in (ssm (run by <test>)), as an own-route step (own-route commands | own-route calls), or says why not (skip (reason))';
  if (lang === 'yaml')
    return marker?.startsWith('consumer-service') || marker === 'excerpt of serverless.yml'
      ? undefined
      : 'a YAML block is the consumer service, an excerpt of serverless.yml, functions to add to it (own-route serverless.yml functions), or says why not (skip (reason))';
  return `no check for a \`${lang || 'plain'}\` block; mark it <!-- doc-check: skip (reason) -->`;
}

describe('the examples in README.md and docs/', () => {
  it('are each checked by a test or marked as not runnable, with a reason', () => {
    expect(blocks.length).toBeGreaterThan(15);
    const problems = blocks.flatMap((block) => {
      const problem = markerProblem(block);
      return problem ? [`${where(block)}: ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('compile against the project with its tsconfig, TypeScript blocks all in one program', () => {
    const typescript = blocks.filter((block) => block.lang === 'ts');
    expect(typescript.length).toBeGreaterThan(0);
    // Under the root, beside src/, so a block's `../src/…` imports resolve as in functions/.
    const dir = path.join(ROOT, `.doc-check-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const files = typescript.map((block, i) => {
        const file = path.join(dir, `block-${i}.ts`);
        writeFileSync(file, `${block.code}\n`);
        return { file, block };
      });
      const tsconfig = path.join(dir, 'tsconfig.json');
      writeFileSync(tsconfig, JSON.stringify({ extends: '../tsconfig.json', include: ['*.ts'], compilerOptions: { noEmit: true } }));
      const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
      const program = ts.createProgram(parsed.fileNames, parsed.options);
      // The blocks' own errors (each type they use is checked as they use it); the project's
      // files are `npm run typecheck`'s, and checking them all again here took twice the time.
      const diagnostics = [
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...files.flatMap(({ file }) => {
          const source = program.getSourceFile(file);
          return source === undefined ? [] : [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
        }),
      ];
      expect(files.every(({ file }) => program.getSourceFile(file) !== undefined)).toBe(true);
      const errors = diagnostics.map((diagnostic) => {
        const at = files.find(({ file }) => file === diagnostic.file?.fileName);
        const line =
          diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : 0;
        const origin = at ? `${at.block.file}:${at.block.line + 1 + line}` : (diagnostic.file?.fileName ?? '?');
        return `${origin}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('show JSON answers that match the OpenAPI schema of their route', () => {
    const document = openApiDocument({ transport: loadTransportConfig({}), routes: serviceRoutes() }) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
    };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const anyError = { type: 'object', required: ['msg'], properties: { msg: { type: 'string' } } };
    const checked: string[] = [];
    const problems: string[] = [];
    // The own-route calls reach routes only the scratch copy has: tests/template/own-routes.test.ts compares their answers.
    for (const block of blocks.filter((b) => (b.lang === 'sh' || b.lang === 'bash') && !b.marker?.startsWith('own-route '))) {
      for (const step of shellSteps(block.code)) {
        const json = step.answer.filter((line) => /^[{[]/.test(line));
        if (json.length === 0) continue;
        const target = curlTarget(step.commands);
        const at = `${where(block)} (${step.commands[0]})`;
        const route =
          target && Object.keys(document.paths).find((p) => new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(target.path));
        const status = /^HTTP\/\S+ (\d{3})/.exec(step.answer[0] ?? '')?.[1];
        const responses = route ? (document.paths[route]?.[target.method]?.responses ?? {}) : {};
        // An unknown route: API Gateway's own answer, {"msg"} like every error.
        const candidates = Object.entries(responses)
          .filter(([code]) => status === undefined || code === status)
          .map(([, response]) => response.content?.['application/json']?.schema ?? anyError);
        if (route === undefined) candidates.push(anyError);
        if (candidates.length === 0) problems.push(`${at}: no ${status ?? ''} answer documented for ${target?.method} ${route}`);
        for (const line of json) {
          checked.push(line);
          let value: unknown;
          try {
            value = parseShown(line);
          } catch (err) {
            problems.push(`${at}: not JSON even with … as a masked value: ${line} (${(err as Error).message})`);
            continue;
          }
          const fits = candidates.some((schema) => {
            const validate = ajv.compile(schema);
            return validate(value) || (validate.errors ?? []).every((error) => masked(error, value));
          });
          if (!fits) problems.push(`${at}: ${line} matches no answer of ${target?.method ?? ''} ${route ?? target?.path ?? ''}`);
        }
      }
    }
    expect(checked.length).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });

  it('quote serverless.yml as it is, where they say they quote it', () => {
    const yml = readFileSync(path.join(ROOT, 'serverless.yml'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    for (const block of blocks.filter((b) => b.marker === 'excerpt of serverless.yml')) {
      let from = 0;
      for (const line of block.code.split('\n').filter((l) => l.trim() !== '')) {
        const found = yml.indexOf(line.trim(), from);
        expect({ at: where(block), line, found: found >= 0 }).toEqual({ at: where(block), line, found: true });
        from = found + 1;
      }
    }
  });

  it('link only to chapters and headings that exist', () => {
    const slug = (heading: string) =>
      heading
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-');
    const anchors = (file: string) =>
      readFileSync(path.join(ROOT, file), 'utf8')
        .replace(/```[\s\S]*?```/g, '')
        .split('\n')
        .filter((line) => /^#{1,6} /.test(line))
        .map((line) => slug(line.replace(/^#+ /, '')));
    const broken: string[] = [];
    for (const file of docFiles()) {
      const text = readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [linked = '', anchor] = target!.split('#');
        const resolved = linked === '' ? file : path.normalize(path.join(path.dirname(file), linked));
        let headings: string[];
        try {
          headings = anchors(resolved);
        } catch {
          broken.push(`${file}: ${target} (no such file)`);
          continue;
        }
        if (anchor !== undefined && !headings.includes(anchor)) broken.push(`${file}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/**
 * A shown answer as JSON: `…` stands for what differs per run. A bare `…` becomes the masked
 * string `"…"`, or the masked member `"…": "…"` where a member is expected (`{…}`, `, …,`).
 */
function parseShown(line: string): unknown {
  let out = '';
  let inString = false;
  const stack: string[] = [];
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += line[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') stack.push(c);
    else if (c === '}' || c === ']') stack.pop();
    if (c === '…') {
      const before = out.trimEnd().slice(-1);
      out += stack.at(-1) === '{' && (before === '{' || before === ',') ? '"…":"…"' : '"…"';
    } else out += c;
  }
  return JSON.parse(out);
}

/** Whether a schema error is only about a masked part of the shown answer. */
function masked(error: ErrorObject, value: unknown): boolean {
  if (error.keyword === 'oneOf' || error.keyword === 'anyOf') return true; // judged by the branches' own errors
  const at = error.instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], value);
  if (typeof at === 'string' && at.includes('…')) return true;
  if (error.keyword === 'additionalProperties') return error.params.additionalProperty === '…';
  if (error.keyword === 'required') return typeof at === 'object' && at !== null && '…' in at;
  return false;
}
