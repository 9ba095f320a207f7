/**
 * The documentation's checked examples (tools/docs/examples.ts): every fenced block marked
 * `checked` in README.md and docs/*.md is run and what it prints compared with what the block
 * shows, so a figure quoted there cannot drift from what the command prints. Every transcript
 * (a block with `$ ` lines) must be checked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkedBlocks, describeMismatch, documents, matches, ROOT, runBlock, transcripts } from '../../tools/docs/examples.js';
import { CWRU, KERNELS, MITDB, needs, NUMPY, type Requirement } from '../helpers/needs.js';
import { DATA_DIR } from '../helpers/shared-data.js';

/** The names a block may list in `needs=`. */
const REQUIREMENTS: Record<string, Requirement> = { mitdb: MITDB, cwru: CWRU, numpy: NUMPY, kernels: KERNELS };

const docs = documents().map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));

describe('checked examples in the documentation', () => {
  it('every transcript (a block with "$ " lines) is checked', () => {
    const unchecked = docs.flatMap((d) => transcripts(d.text, d.file)).filter((t) => !t.checked).map((t) => `${t.file}:${t.line}`);
    expect(unchecked, 'mark the block `checked` (tools/docs/examples.ts) so its output is compared').toEqual([]);
  });

  for (const d of docs) {
    for (const block of checkedBlocks(d.text, d.file)) {
      const unknown = block.needs.filter((n) => !(n in REQUIREMENTS));
      const reqs = block.needs.filter((n) => n in REQUIREMENTS).map((n) => REQUIREMENTS[n]);
      needs(...reqs).it(`${block.file}:${block.line}: $ ${block.commands.map((c) => c.command).join('; $ ')}`, () => {
        expect(unknown, `unknown needs= names (known: ${Object.keys(REQUIREMENTS).join(', ')})`).toEqual([]);
        const failed = runBlock(block, { dataDir: DATA_DIR }).filter((r) => !r.ok);
        expect(failed.map((r) => describeMismatch(block, r)).join('\n\n')).toBe('');
      }, 180_000);
    }
  }
});

describe('the example matcher', () => {
  it('"..." inside a line matches any text, alone on a line any number of lines', () => {
    expect(matches(['a ... c'], ['a b b c'])).toBe(true);
    expect(matches(['a ... c'], ['a b b d'])).toBe(false);
    expect(matches(['x', '...', 'z'], ['x', 'y1', 'y2', 'z'])).toBe(true);
    expect(matches(['x', '...', 'z'], ['x', 'z'])).toBe(true);
    expect(matches(['x', '...', 'z'], ['x', 'y'])).toBe(false);
    expect(matches(['[1.5]'], ['[1.5]'])).toBe(true);
    expect(matches(['[1.5]'], ['[105]'])).toBe(false); // no regular-expression meaning
    expect(matches(['a  ', ''], ['a', '', ''])).toBe(true); // trailing spaces and empty lines
    expect(matches(['26620 bytes'], ['26621 bytes'])).toBe(false);
  });

  it('parses commands, continuations and needs=', () => {
    const md = ['text', '```console checked needs=mitdb,cwru', '$ wavegate a \\', '  --b', 'out 1', '...', '$ wavegate c', '```', '```sh', '$ not checked', '```'].join('\n');
    expect(checkedBlocks(md, 'x.md')).toEqual([
      { file: 'x.md', line: 2, needs: ['mitdb', 'cwru'], commands: [{ command: 'wavegate a  --b', expected: ['out 1', '...'] }, { command: 'wavegate c', expected: [] }] },
    ]);
    expect(transcripts(md, 'x.md')).toEqual([{ file: 'x.md', line: 2, checked: true }, { file: 'x.md', line: 9, checked: false }]);
  });
});
