import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { INTEGER_DEFAULTS, TEXT_DEFAULTS } from '../../../src/config/config';
import { CONFIG_DOC, generatedPart } from '../../../src/config/config-doc';
import { CONFIG_REFERENCE, renderConfigReference } from '../../../src/config/config-reference';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const names = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((match) => match[1]!);

/** Environment variables the tools set for themselves, not settings of the product. */
const TOOL_VARIABLES = ['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'POWERTOOLS_METRICS_DISABLED', 'ROUNDS'];

describe('the configuration reference', () => {
  it('is what npm run docs:config generates from the code', () => {
    // On failure: run `npm run docs:config` and commit the chapter.
    expect(generatedPart(read(CONFIG_DOC))).toBe(renderConfigReference());
  });

  it('shows every table row with the default and range config.ts applies', () => {
    const doc = read(CONFIG_DOC);
    for (const [name, [fallback, min, max]] of Object.entries(INTEGER_DEFAULTS))
      expect(doc).toContain(`| \`${name}\` | \`${fallback}\` | ${min}–${max} |`);
    for (const [name, fallback] of Object.entries(TEXT_DEFAULTS)) expect(doc).toContain(`| \`${name}\` | \`${fallback}\` |`);
  });

  it('gives a meaning to every variable config.ts reads', () => {
    const source = read('src/config/config.ts');
    const readNames = [
      ...names(source, /\b(?:read|text|integer|required|flag)\('([A-Z0-9_]+)'\)/g),
      ...names(source, /keySource\(r, '([A-Z0-9_]+)'/g).flatMap((name) => [name, `${name}_PARAM`]),
    ];
    expect(readNames.length).toBeGreaterThan(40);
    expect([...new Set(readNames)].filter((name) => !(name in CONFIG_REFERENCE))).toEqual([]);
  });

  it('gives a meaning to every variable serverless.yml, the plugins and the scripts read', () => {
    const used = [
      ...names(read('serverless.yml'), /env:([A-Z0-9_]+)/g),
      ...['plugins', 'scripts'].flatMap((dir) =>
        readdirSync(path.join(ROOT, dir)).flatMap((file) => names(read(`${dir}/${file}`), /process\.env\.([A-Z0-9_]+)/g)),
      ),
    ];
    const missing = [...new Set(used)].filter((name) => !(name in CONFIG_REFERENCE) && !TOOL_VARIABLES.includes(name));
    expect(missing).toEqual([]);
  });
});
