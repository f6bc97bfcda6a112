import { readdirSync, readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import { loadTransportConfig } from '../../../src/config/config';
import { ERROR_TABLE, GATEWAY_OWN_MESSAGE } from '../../../src/errors/error-table';
import type { ErrorCode } from '../../../src/errors/errors';
import { openApiDocument } from '../../../src/http/openapi';
import { sectionText } from '../../../scripts/doc-sections';
import { codeSections } from '../../../scripts/service-facts';
import { docFiles, ROOT } from '../../helpers/doc-blocks';
import { serviceRoutes } from '../../helpers/service-routes';

// Facts of the docs that the code decides, held to it without packaging: the metrics list
// (generated), every answer the docs quote (status and message), the README route table's
// answers, and what an authorizer's outcomes answer. The facts serverless.yml decides (authorizers,
// functions, tables, exports, alarms) are held to the packaged template in
// tests/template/doc-facts.test.ts.

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** A message as a pattern: a template literal's `${…}` stands for any text. */
function messagePattern(text: string, templated: boolean): RegExp {
  const parts = templated ? text.split(/\$\{[^}]*\}/) : [text];
  return new RegExp(`^${parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`, 's');
}

/** Every message the code answers with, with its error code: from the error classes, their call sites and the gateway column. */
function errorMessages(): { code: ErrorCode; pattern: RegExp }[] {
  const found: { code: ErrorCode; pattern: RegExp }[] = [];
  // Error classes that fix their code: `class X extends AppError { … super('ERR_…'`.
  const classCode = new Map<string, ErrorCode>();
  for (const [, name, body] of read('src/errors/errors.ts').matchAll(/export class (\w+) extends AppError \{([\s\S]*?)\n\}/g)) {
    const fixed = /super\('(ERR_\w+)'(?:,\s*(['`])((?:(?!\2)[^\\]|\\.)*)\2)?/.exec(body!);
    if (!fixed) continue;
    classCode.set(name!, fixed[1] as ErrorCode);
    if (fixed[3] !== undefined) found.push({ code: fixed[1] as ErrorCode, pattern: messagePattern(fixed[3], fixed[2] === '`') });
  }
  const sources = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? sources(`${dir}/${entry.name}`) : entry.name.endsWith('.ts') ? [`${dir}/${entry.name}`] : [],
    );
  for (const file of [...sources('src'), ...sources('functions')]) {
    const text = read(file);
    for (const match of text.matchAll(/new (\w+)\(\s*'(ERR_\w+)',\s*(['`])((?:(?!\3)[^\\]|\\.)*)\3/g))
      found.push({ code: match[2] as ErrorCode, pattern: messagePattern(match[4]!, match[3] === '`') });
    for (const match of text.matchAll(/new (\w+)\(\s*(['`])((?:(?!\2)[^\\]|\\.)*)\2/g)) {
      const code = classCode.get(match[1]!);
      if (code !== undefined) found.push({ code, pattern: messagePattern(match[3]!, match[2] === '`') });
    }
  }
  for (const [code, row] of Object.entries(ERROR_TABLE) as [ErrorCode, (typeof ERROR_TABLE)[ErrorCode]][])
    if (row.gateway && row.gateway.msg !== GATEWAY_OWN_MESSAGE) found.push({ code, pattern: messagePattern(row.gateway.msg, false) });
  return found;
}

type Operation = { responses: Record<string, { content?: Record<string, { schema?: { properties?: { msg?: { const?: string } } } }> }> };
const paths = (
  openApiDocument({ transport: loadTransportConfig({}), routes: serviceRoutes() }) as { paths: Record<string, Record<string, Operation>> }
).paths;

/** The success messages of the routes (`{"msg": "Logged out"}`), by status. */
function successMessages(): { status: number; text: string; route: string }[] {
  return Object.entries(paths).flatMap(([route, methods]) =>
    Object.entries(methods).flatMap(([method, operation]) =>
      Object.entries(operation.responses).flatMap(([status, response]) => {
        const text = response.content?.['application/json']?.schema?.properties?.msg?.const;
        return Number(status) < 400 && text !== undefined
          ? [{ status: Number(status), text, route: `${method.toUpperCase()} ${route}` }]
          : [];
      }),
    ),
  );
}

const messages = errorMessages();
const successes = successMessages();

/** Why `status` with `text` is not an answer of this API, or undefined when it is. */
function wrongAnswer(status: number | undefined, text: string): string | undefined {
  const codes = messages.filter((message) => message.pattern.test(text)).map((message) => message.code);
  const ok = successes.filter((success) => success.text === text);
  if (status === undefined) return codes.length > 0 || ok.length > 0 ? undefined : 'no answer of the code says this';
  if (codes.some((code) => ERROR_TABLE[code].status === status) || ok.some((success) => success.status === status)) return undefined;
  // API Gateway's own answers (DEFAULT_4XX, DEFAULT_5XX) pass on its own words: the reason phrase.
  if (STATUS_CODES[status] === text && status >= 400) return undefined;
  const statuses = [...new Set([...codes.map((code) => ERROR_TABLE[code].status), ...ok.map((success) => success.status)])];
  return statuses.length > 0 ? `the code answers this with ${statuses.join(' or ')}` : 'no answer of the code says this';
}

/** Every quoted answer `{"msg": "…"` in the docs, with the status written before it, if any. */
function quotedAnswers(): { at: string; status: number | undefined; text: string }[] {
  return docFiles().flatMap((file) =>
    read(file)
      .split('\n')
      .flatMap((line, index) =>
        [...line.matchAll(/(?:(\d{3}) `?)?\{"msg": ?"((?:[^"\\]|\\.)*)"/g)].map((match) => ({
          at: `${file}:${index + 1}`,
          status: match[1] === undefined ? undefined : Number(match[1]),
          text: JSON.parse(`"${match[2]!}"`) as string,
        })),
      ),
  );
}

describe('the answers the docs quote', () => {
  it('are found', () => {
    expect(messages.length).toBeGreaterThan(30);
    expect(quotedAnswers().length).toBeGreaterThan(30);
  });

  it('are answers of the code, with the status the code gives them', () => {
    // On failure: the doc quotes a message the code does not send, or with another status; correct the doc (or the code).
    const wrong = quotedAnswers().flatMap(({ at, status, text }) => {
      const why = wrongAnswer(status, text);
      return why === undefined ? [] : [`${at}: ${status ?? ''} {"msg":"${text}"}: ${why}`];
    });
    expect(wrong).toEqual([]);
  });

  it('give an authorizer’s outcomes the statuses the error table gives them', () => {
    const deny = Object.values(ERROR_TABLE).find((row) => row.authorizer === 'Deny')!.status;
    const unauthorized = ERROR_TABLE.ERR_TOKEN_INVALID.status;
    const wrong = docFiles().flatMap((file) =>
      [...read(file).matchAll(/\b(Deny|`Unauthorized`)\s*→\s*(\d{3})/g)]
        .filter(([, outcome, status]) => Number(status) !== (outcome === '`Unauthorized`' ? unauthorized : deny))
        .map(([text, outcome]) => `${file}: "${text}", but the answer is ${outcome === '`Unauthorized`' ? unauthorized : deny}`),
    );
    expect(wrong).toEqual([]);
  });
});

describe('the README’s route table', () => {
  const rows = (() => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('| route | guarded by | answers |')).split('\n\n')[0] ?? '';
    return table
      .split('\n')
      .slice(2)
      .map((line) => {
        const [route = '', , answers = ''] = line.split(' | ').map((cell) => cell.replace(/^\| |\|$/g, '').trim());
        const [method = '', routePath = ''] = (/^`([^`]+)`/.exec(route)?.[1] ?? '').replace(/\[.*\]$/, '').split(' ');
        return { method: method.toLowerCase(), path: routePath, answers };
      });
  })();

  it('answers each route with the statuses and messages the route answers', () => {
    expect(rows.length).toBeGreaterThan(20);
    const wrong = rows.flatMap(({ method, path: routePath, answers }) => {
      const operation = paths[routePath]?.[method];
      if (operation === undefined) return [`${method} ${routePath}: not a route of the OpenAPI document`];
      const problems: string[] = [];
      for (const [, status] of answers.matchAll(/(?:^|[;:] )(\d{3})\b/g))
        if (operation.responses[status!] === undefined) problems.push(`${method} ${routePath}: ${status} is not one of its answers`);
      const success = Object.entries(operation.responses).find(([status]) => Number(status) < 300)?.[1];
      const expected = success?.content?.['application/json']?.schema?.properties?.msg?.const;
      const shown = /^`\{"msg": ?"([^"]+)"/.exec(answers)?.[1];
      if (shown !== expected) problems.push(`${method} ${routePath}: shows ${shown ?? 'no message'}, answers ${expected ?? 'no message'}`);
      return problems;
    });
    expect(wrong).toEqual([]);
  });
});

describe('the generated sections the code decides', () => {
  it.each(codeSections())('$doc: $section is what npm run docs:facts writes', ({ doc, section, text }) => {
    // On failure: run `npm run docs:facts` and commit the docs.
    expect({ doc, section, text: sectionText(read(doc), section) }).toEqual({ doc, section, text });
  });
});
