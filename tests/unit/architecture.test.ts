import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// The layers of src/, checked on every import (type-only imports too), instead of by review:
// each folder may use only the folders listed for it, so no arrow points from a lower layer up,
// and no file imports itself back through others. Read from the sources, so it needs no build.

const ROOT = path.resolve(__dirname, '../..');

/** Who may import whom: the shared base, the two halves, the wire, the composition roots. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  errors: [],
  config: [],
  platform: ['errors', 'config'],
  tokens: ['errors', 'config', 'platform'],
  users: ['errors', 'config', 'platform'],
  // Passkeys: WebAuthn (the only importer of @simplewebauthn/server) and their stores.
  passkeys: ['errors', 'config', 'platform', 'users'],
  // Issuing and ending sessions.
  sessions: ['errors', 'config', 'platform', 'tokens', 'users', 'passkeys'],
  // Requests and the wire shapes of the sessions' results.
  http: ['errors', 'config', 'platform', 'tokens', 'users', 'sessions', 'passkeys'],
  // Deciding requests: the authorizers' pipeline reads the request through http/ as a handler does.
  authorize: ['errors', 'config', 'platform', 'tokens', 'http'],
  // The composition roots, used only by functions/ and authorizers/.
  wiring: ['errors', 'config', 'platform', 'tokens', 'users', 'sessions', 'passkeys'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

/** Every import of `file`: relative ones resolved to a path under the root (no extension), packages as named. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map(([, spec]) =>
    spec!.startsWith('.') ? path.normalize(path.join(path.dirname(file), spec!)) : spec!,
  );
}

const SRC = sourceFiles('src');
const graph = new Map(SRC.map((file) => [file.replace(/\.ts$/, ''), importsOf(file)]));
const folderOf = (module: string) => module.split(path.sep)[1] ?? '';

describe('the layers of src/', () => {
  it('keep every folder of src/ in the table, and no loose files beside them', () => {
    expect([...new Set(SRC.map(folderOf))].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
    expect(SRC.filter((file) => file.split(path.sep).length === 2)).toEqual([]);
  });

  it('point only downwards: each folder imports only the folders it may', () => {
    const wrong: string[] = [];
    for (const [module, imports] of graph) {
      for (const target of imports.filter((spec) => spec.startsWith(`src${path.sep}`))) {
        const [from, to] = [folderOf(module), folderOf(target)];
        if (from !== to && !MAY_IMPORT[from]?.includes(to)) wrong.push(`${module} → ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('have no import circles', () => {
    const circles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (module: string, trail: string[]): void => {
      if (state.get(module) === 'done') return;
      if (state.get(module) === 'visiting') {
        circles.push([...trail.slice(trail.indexOf(module)), module].join(' → '));
        return;
      }
      state.set(module, 'visiting');
      for (const target of graph.get(module) ?? []) if (graph.has(target)) visit(target, [...trail, module]);
      state.set(module, 'done');
    };
    for (const module of graph.keys()) visit(module, []);
    expect(circles).toEqual([]);
  });

  it('leave jose to tokens/, WebAuthn to passkeys/webauthn.ts and the composition roots to functions/ and authorizers/', () => {
    const offenders = [...graph].flatMap(([module, imports]) => [
      ...(imports.includes('jose') && folderOf(module) !== 'tokens' ? [`${module} imports jose`] : []),
      ...(imports.some((spec) => spec.startsWith('@simplewebauthn/')) && module !== path.join('src', 'passkeys', 'webauthn')
        ? [`${module} imports @simplewebauthn`]
        : []),
      ...(imports.some((spec) => folderOf(spec) === 'wiring') && folderOf(module) !== 'wiring' ? [`${module} imports the wiring`] : []),
    ]);
    expect(offenders).toEqual([]);
  });
});

describe('the client (client/src/)', () => {
  const CLIENT = sourceFiles(path.join('client', 'src'));
  const text = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = (file: string, pattern: RegExp) => [...text(file).matchAll(pattern)].map(([, spec]) => spec!);

  it('imports only its own files, openapi-fetch and @simplewebauthn/browser: nothing of the server, nothing of Node', () => {
    const offenders = CLIENT.flatMap((file) =>
      specifiers(file, /(?:from|import\()\s*'([^']+)'/g)
        .filter(
          (spec) => !(spec.startsWith('./') && !spec.includes('..')) && spec !== 'openapi-fetch' && spec !== '@simplewebauthn/browser',
        )
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('loads @simplewebauthn/browser only when a passkey is used: a dynamic import, in one file', () => {
    const loads = CLIENT.flatMap((file) =>
      [
        ...text(file).matchAll(
          /^\s*import\s+(type\s+)?[^;]*?from\s*'@simplewebauthn\/browser'|import\(\s*'@simplewebauthn\/browser'\s*\)/gm,
        ),
      ].map(([statement, typeOnly]) => `${file}: ${statement.startsWith('import(') ? 'dynamic' : typeOnly ? 'type' : 'static'}`),
    );
    expect(loads.sort()).toEqual([
      `${path.join('client', 'src', 'passkey-ceremonies.ts')}: dynamic`,
      `${path.join('client', 'src', 'passkey-ceremonies.ts')}: type`,
    ]);
  });

  it('is imported by nothing of the server', () => {
    expect([...graph].filter(([, imports]) => imports.some((spec) => spec.startsWith(`client${path.sep}`)))).toEqual([]);
  });
});
