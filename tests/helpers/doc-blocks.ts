/**
 * The code blocks of README.md and docs/*.md, with the `<!-- doc-check: … -->` marker written on
 * the line above each (if any), and the shell blocks split into steps: commands, and the answer
 * shown under them as `# …` lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export interface DocBlock {
  readonly file: string;
  readonly line: number;
  readonly lang: string;
  readonly marker: string | undefined;
  readonly code: string;
}

export interface ShellStep {
  /** The command lines, continuations included. */
  readonly commands: string[];
  /** The answer shown under the commands, without its `# ` prefix; empty when none is shown. */
  readonly answer: string[];
}

/** README.md and every chapter, relative to the root. */
export function docFiles(): string[] {
  return [
    'README.md',
    ...readdirSync(path.join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
}

/** Every fenced block of `file`, with its language and marker. */
export function docBlocks(file: string): DocBlock[] {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const found = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    if (found < 0) throw new Error(`${file}:${i + 1}: a code block that never closes`);
    const end = found;
    const marker = /^<!-- doc-check: (.*?) -->$/.exec(lines[i - 1] ?? '')?.[1];
    blocks.push({ file, line: i + 1, lang: open[1]!, marker, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

/**
 * A shell block as steps. A `#` line right under a command (or under another answer line) is the
 * answer shown; a `#` line after a blank line is a note. A trailing `# {…}` after a command is an
 * answer too.
 */
export function shellSteps(code: string): ShellStep[] {
  const steps: { commands: string[]; answer: string[] }[] = [];
  let current: { commands: string[]; answer: string[] } | undefined;
  let continued = false;
  for (const line of code.split('\n')) {
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    if (line.startsWith('#')) {
      if (current) current.answer.push(line.replace(/^# ?/, ''));
      continue;
    }
    if (!continued) {
      current = { commands: [], answer: [] };
      steps.push(current);
    }
    current!.commands.push(line);
    continued = line.endsWith('\\');
  }
  return steps;
}

/** The method and path a step's curl command calls (`$BASE/…`), if it calls one. */
export function curlTarget(commands: readonly string[]): { method: string; path: string } | undefined {
  const command = commands.join(' ');
  const url = /\$BASE(\/[^\s"'|)]*)/.exec(command)?.[1];
  if (url === undefined) return undefined;
  const method = /-X (\w+)/.exec(command)?.[1]?.toLowerCase() ?? 'get';
  return { method, path: url.split('?')[0]! };
}

/** A shown answer as a pattern: `…` alone on a line stands for any lines, within a line for any text; header names in any case. */
export function answerPattern(answer: readonly string[]): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const line = (text: string) => {
    const header = /^([A-Za-z-]+)(: .*)$/.exec(text);
    const name = header ? [...header[1]!].map((c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).join('') : '';
    return name + escape(header ? header[2]! : text).replace(/…/g, '[^\\n]*?');
  };
  const last = answer.length - 1;
  return new RegExp(`^${answer.map((text, i) => (text === '…' ? '(?:[^\\n]*\\n)*?' : `${line(text)}${i < last ? '\\n' : ''}`)).join('')}$`);
}
