/**
 * Checked examples in the documentation: a fenced block whose info string has the word `checked`
 * is a terminal transcript that test/docs/examples.test.ts runs, comparing what the commands
 * print with what the block shows. A figure quoted in such a block cannot drift from the code.
 *
 *   ```console checked needs=mitdb
 *   $ wavegate qrs $WAVEGATE_DATA/mitdb/100 --json
 *   {"record":"100","fs":360,"lead":"MLII","peaks":[77,370,663,...]}
 *   ```
 *
 * - `$ ` starts a command (a trailing `\` continues it on the next line); the lines up to the next
 *   command are its expected output, stdout and stderr together as a terminal shows them.
 * - `...` in an expected line matches any text; a line that is only `...` matches any number of
 *   lines (doctest's ELLIPSIS). Trailing spaces and trailing empty lines are ignored.
 * - Commands run with bash in a fresh temporary folder holding a link to the repository's
 *   `fixtures/`, with `wavegate` on PATH (the sources, through tsx) and $WAVEGATE_DATA set, so
 *   `--out m.wgm` writes into the temporary folder. Commands of one block share the folder.
 * - `needs=a,b` names what the block needs beyond the repository (see the test for the names);
 *   without it the block is skipped, or fails under WAVEGATE_REQUIRE_ALL=1.
 *
 * A transcript (a block with a `$ ` line) that is not marked `checked` fails the test: documents
 * quote command output only where a check keeps it true.
 *
 *   npx tsx tools/docs/examples.ts [file.md ...]     # run the checked blocks, print what differs
 *   npx tsx tools/docs/examples.ts --update [file.md ...]  # also rewrite a failing command's expected
 *     lines with what it printed (an expected line that still matches its printed line is kept, so
 *     `...` placeholders survive); review the diff: the figures are what the docs now promise
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Command {
  /** The command line as bash receives it. */
  command: string;
  /** Expected output lines (patterns, see the file comment). */
  expected: string[];
}

export interface CheckedBlock {
  /** Repository-relative path of the document. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  needs: string[];
  commands: Command[];
}

export interface Transcript {
  file: string;
  line: number;
  checked: boolean;
}

interface Fence {
  line: number;
  info: string;
  body: string[];
}

function fences(markdown: string): Fence[] {
  const out: Fence[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(```+|~~~+)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith(open[1])) body.push(lines[j++]);
    out.push({ line: i + 1, info: open[2].trim(), body });
    i = j;
  }
  return out;
}

const isChecked = (info: string): boolean => info.split(/\s+/).includes('checked');

/** Every fenced block with a `$ ` prompt line, checked or not. */
export function transcripts(markdown: string, file: string): Transcript[] {
  return fences(markdown)
    .filter((f) => f.body.some((l) => l.startsWith('$ ')))
    .map((f) => ({ file, line: f.line, checked: isChecked(f.info) }));
}

/** The `checked` blocks of a document. */
export function checkedBlocks(markdown: string, file: string): CheckedBlock[] {
  return fences(markdown)
    .filter((f) => isChecked(f.info))
    .map((f) => {
      const needs = (/(?:^|\s)needs=(\S+)/.exec(f.info)?.[1] ?? '').split(',').filter(Boolean);
      const commands: Command[] = [];
      for (let i = 0; i < f.body.length; i++) {
        const l = f.body[i];
        if (l.startsWith('$ ')) {
          let command = l.slice(2);
          while (command.endsWith('\\') && i + 1 < f.body.length) command = `${command.slice(0, -1)} ${f.body[++i].trim()}`;
          commands.push({ command, expected: [] });
        } else if (commands.length === 0) {
          if (l.trim() !== '') throw new Error(`${file}:${f.line}: a checked block starts with a "$ " command line, found ${JSON.stringify(l)}`);
        } else {
          commands[commands.length - 1].expected.push(l);
        }
      }
      if (commands.length === 0) throw new Error(`${file}:${f.line}: a checked block holds no "$ " command`);
      return { file, line: f.line, needs, commands };
    });
}

const trimEnd = (lines: string[]): string[] => {
  const out = lines.map((l) => l.replace(/\s+$/, ''));
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
};

function linePattern(expected: string): RegExp {
  return new RegExp(`^${expected.split('...').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

/** True when the actual lines match the expected patterns (see the file comment for `...`). */
export function matches(expectedLines: string[], actualLines: string[]): boolean {
  const want = trimEnd(expectedLines);
  const got = trimEnd(actualLines);
  const memo = new Map<string, boolean>();
  const at = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === want.length) r = j === got.length;
    else if (want[i] === '...') r = at(i + 1, j) || (j < got.length && at(i, j + 1));
    else r = j < got.length && linePattern(want[i]).test(got[j]) && at(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return at(0, 0);
}

export interface CommandResult {
  command: string;
  expected: string[];
  actual: string[];
  status: number | null;
  ok: boolean;
}

export interface RunOptions {
  /** $WAVEGATE_DATA for the commands (default: the environment's, else ../shared/data). */
  dataDir?: string;
  /** Per-command limit. */
  timeoutMs?: number;
}

/** Runs a block's commands in a fresh folder (see the file comment); one result per command. */
export function runBlock(block: CheckedBlock, options: RunOptions = {}): CommandResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'wavegate-doc-example-'));
  try {
    const bin = join(dir, '.bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'wavegate'), `#!/bin/sh\nexec "${ROOT}node_modules/.bin/tsx" "${ROOT}tools/cli/main.ts" "$@"\n`);
    chmodSync(join(bin, 'wavegate'), 0o755);
    symlinkSync(join(ROOT, 'fixtures'), join(dir, 'fixtures'));
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      WAVEGATE_DATA: options.dataDir ?? process.env.WAVEGATE_DATA ?? join(ROOT, '../shared/data'),
      NO_COLOR: '1',
    };
    return block.commands.map((c) => {
      const r = spawnSync('bash', ['-c', `${c.command} 2>&1`], { cwd: dir, env, encoding: 'utf8', timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20 });
      const actual = (r.stdout ?? '').split('\n');
      return { command: c.command, expected: c.expected, actual, status: r.status, ok: matches(c.expected, actual) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A readable account of a failed command: expected patterns, then what it printed. */
export function describeMismatch(block: CheckedBlock, r: CommandResult): string {
  const clip = (l: string): string => (l.length > 300 ? `${l.slice(0, 300)}... (${l.length} characters)` : l);
  return [
    `${block.file}:${block.line}: $ ${r.command} (exit ${r.status})`,
    'expected:',
    ...trimEnd(r.expected).map((l) => `  ${l}`),
    'printed:',
    ...trimEnd(r.actual).map((l) => `  ${clip(l)}`),
  ].join('\n');
}

/** The documents that may hold checked examples: README.md and docs/*.md. */
export function documents(): string[] {
  return ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

/**
 * A failing command's new expected lines: what it printed, except that an expected line which
 * still matches the printed line at the same position is kept (placeholders survive an update).
 */
export function updatedExpected(r: CommandResult): string[] {
  const want = trimEnd(r.expected);
  return trimEnd(r.actual).map((line, i) => (want[i] !== undefined && want[i] !== '...' && linePattern(want[i]).test(line) ? want[i] : line));
}

function main(argv: string[]): void {
  const update = argv.includes('--update');
  const paths = argv.filter((a) => a !== '--update');
  const files = paths.length ? paths.map((f) => resolve(f)) : documents().map((f) => join(ROOT, f));
  let failed = 0;
  for (const path of files) {
    const file = relative(ROOT, path);
    const text = readFileSync(path, 'utf8');
    let lines = text.split('\n');
    // Edits go bottom-up so earlier line numbers stay valid.
    const edits: Array<{ at: number; remove: number; insert: string[] }> = [];
    for (const block of checkedBlocks(text, file)) {
      let cursor = block.line; // the opening fence (1-based) = index of the first body line
      for (const r of runBlock(block)) {
        while (cursor < lines.length && !lines[cursor].startsWith(`$ ${r.command.split(' ')[0]}`)) cursor++;
        let next = cursor + 1;
        while (next < lines.length && !lines[next].startsWith('$ ') && !lines[next].startsWith('```')) next++;
        if (r.ok) process.stdout.write(`ok   ${file}:${block.line}: $ ${r.command}\n`);
        else {
          failed++;
          process.stdout.write(`FAIL ${describeMismatch(block, r)}\n`);
          if (update) edits.push({ at: cursor + 1, remove: next - cursor - 1, insert: updatedExpected(r) });
        }
        cursor = next;
      }
    }
    if (update && edits.length > 0) {
      for (const e of edits.reverse()) lines = [...lines.slice(0, e.at), ...e.insert, ...lines.slice(e.at + e.remove)];
      writeFileSync(path, lines.join('\n'));
      process.stdout.write(`updated ${file}: ${edits.length} command(s)\n`);
    }
  }
  process.exitCode = failed && !update ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
