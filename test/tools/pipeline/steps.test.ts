/**
 * The pipeline's step runner (tools/pipeline/steps.ts): a step runs once, is skipped while its
 * inputs and settings are the same, runs again when an input's content changes, and keeps its stamp
 * when the whole work folder is moved (keys hold paths relative to the work folder).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSteps, stepKey, type Step } from '../../../tools/pipeline/steps.js';

const dir = mkdtempSync(join(tmpdir(), 'wavegate-steps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One step reading `<work>/in.txt` and writing `<work>/out.txt`, with its output path in its params (as command lines have). */
function copyStep(work: string, runs: string[]): Step {
  const input = join(work, 'in.txt');
  const output = join(work, 'out.txt');
  return {
    name: 'copy',
    title: 'copies in.txt',
    inputs: [input],
    params: { command: ['cp', input, output] },
    outputs: [output],
    async run() {
      runs.push(work);
      cpSync(input, output);
    },
  };
}

const quiet = { say: () => {} };

describe('pipeline steps', () => {
  it('run once, skip while nothing changed, run again when an input changes', async () => {
    const work = join(dir, 'a');
    const runs: string[] = [];
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'in.txt'), 'one');
    expect((await runSteps([copyStep(work, runs)], { work, ...quiet }))[0].status).toBe('ran');
    expect((await runSteps([copyStep(work, runs)], { work, ...quiet }))[0].status).toBe('skipped');
    writeFileSync(join(work, 'in.txt'), 'two');
    expect((await runSteps([copyStep(work, runs)], { work, ...quiet }))[0].status).toBe('ran');
    expect(runs).toEqual([work, work]);
  });

  it('keeps its stamps when the work folder is moved or copied', async () => {
    const work = join(dir, 'b');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'in.txt'), 'same');
    const runs: string[] = [];
    await runSteps([copyStep(work, runs)], { work, ...quiet });
    const moved = join(dir, 'elsewhere', 'b2');
    cpSync(work, moved, { recursive: true });
    expect(await stepKey(copyStep(moved, runs), moved)).toBe(await stepKey(copyStep(work, runs), work));
    expect((await runSteps([copyStep(moved, runs)], { work: moved, ...quiet }))[0].status).toBe('skipped');
    // A different content at the new place still runs.
    writeFileSync(join(moved, 'in.txt'), 'changed');
    expect((await runSteps([copyStep(moved, runs)], { work: moved, ...quiet }))[0].status).toBe('ran');
    expect(runs).toEqual([work, moved]);
  });
});
