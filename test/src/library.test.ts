/**
 * The public library surface: `import ... from 'wavegate'` resolves through package.json `exports`
 * (from dist/, as an installed package would), exports model, session, readers and the signal
 * pipeline, and option objects refuse names they do not know.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectWavegateError } from '../helpers/expect-error.js';
import { loadModel } from '../../src/runtime/model.js';
import { encodeWgm } from '../../src/model/write.js';
import { decodeWgm } from '../../src/model/load.js';
import { readRecord } from '../../src/io/record.js';
import { readSamplesFile } from '../../src/io/samples.js';
import { tinyMetadata, randomTensors } from './model/tiny-model.js';
import type { WgmModel } from '../../src/model/schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What the entry must offer, by area (README "Library", docs/library.md). */
const SURFACE = {
  model: ['loadModel', 'Model', 'decodeWgm', 'loadWgm', 'encodeWgm', 'writeWgm', 'FORMAT_VERSION'],
  session: ['Session', 'DEFAULT_SESSION_OPTIONS', 'SESSION_OPTION_NAMES', 'setKernelLoader'],
  readers: ['readRecord', 'recordFrames', 'readSamplesFile', 'readSamples', 'readNpy', 'readNpz', 'readWfdbRecord', 'readWfdbAnnotations', 'leadSignal', 'readMat5', 'parseWfdbHeader'],
  signal: ['parseStages', 'createSignalChain', 'SignalChain', 'buildPipeline', 'Pipeline', 'WindowAssembler', 'QrsDetector', 'detectQrs', 'BeatStream', 'beatWindows', 'rrFeatureRows', 'RrFeatureStream', 'DEFAULT_RR_FEATURES'],
  scoring: ['scoreRecord', 'scoreWindows', 'topLabel'],
  errors: ['WavegateError', 'isWavegateError'],
};

describe("import 'wavegate' by name", () => {
  it('package.json maps the name to the built entry and its types', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['.']).toEqual({ types: './dist/src/index.d.ts', default: './dist/src/index.js' });
  });

  it('resolves in the project itself and exports model, session, readers, signal pipeline and scoring', () => {
    if (!existsSync(join(ROOT, 'dist/src/index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    // A child Node resolves the bare name through `exports` (self-reference), as a user's code does.
    const script = `const w = await import('wavegate'); process.stdout.write(JSON.stringify(Object.keys(w)));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    const names = JSON.parse(r.stdout) as string[];
    for (const [area, wanted] of Object.entries(SURFACE)) {
      expect(wanted.filter((n) => !names.includes(n)), `${area} exports`).toEqual([]);
    }
  });
});

describe('unknown options are refused by name (E_ARGUMENT)', () => {
  const meta = tinyMetadata({ window: 8 });
  const model: WgmModel = { metadata: meta, tensors: randomTensors(meta, 3) };

  it('session options', async () => {
    const m = await loadModel(model);
    await expect(m.createSession({ maxBach: 4 } as never)).rejects.toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/session options: unknown option "maxBach" \(known: maxBatch, /) });
    await expect(m.inspect({ backnd: 'ref' } as never)).rejects.toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/"backnd"/) });
    // Bad values of known options are E_ARGUMENT too (the README said E_INPUT).
    await expect(m.createSession({ maxBatch: 0 })).rejects.toMatchObject({ code: 'E_ARGUMENT' });
    const s = await m.createSession({ maxBatch: 2 });
    expectWavegateError(() => s.push([0], new Float32Array(2 * 3), { output: 'all' } as never), 'E_ARGUMENT', /push\(\).*unknown option "output"/);
    m.dispose();
  });

  it('model load, decode and encode options, and their limits', async () => {
    const bytes = encodeWgm(model);
    await expect(loadModel(bytes, { sorce: 'x' } as never)).rejects.toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/"sorce"/) });
    expectWavegateError(() => decodeWgm(bytes, { limits: { maxByte: 1 } } as never), 'E_ARGUMENT', /limits: unknown option "maxByte"/);
    expectWavegateError(() => encodeWgm(model, { signingkey: 'k' } as never), 'E_ARGUMENT', /encode options: unknown option "signingkey"/);
  });

  it('readers', () => {
    expectWavegateError(() => readSamplesFile('x.npy', { fromat: 'npy' } as never), 'E_ARGUMENT', /"fromat"/);
    expectWavegateError(() => readRecord('x.csv', { samplerate: 360 } as never), 'E_ARGUMENT', /readRecord\(\): unknown option "samplerate" \(known: sampleRate, format\)/);
  });
});
