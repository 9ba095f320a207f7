/**
 * Scores a fixed set of models on fixed inputs with every kernel build this engine can run and
 * prints, per (model, precision, build, mode), the SHA-256 of the output bytes, as one JSON object.
 *
 *   node dist/tools/portability/score-digests.js
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu <arm64 node> dist/tools/portability/score-digests.js
 *   node dist/tools/portability/score-digests.js --write-cases <dir>   # the cases as files, for a browser page
 *
 * Run on two CPUs, equal digests mean bit-identical results (test/portability/cross-cpu.test.ts
 * runs it on x64, and on arm64 and 32-bit ARM Node under qemu-user; browser.test.ts scores the
 * written cases in Chromium). Inputs come from seeds, so the script needs only the committed
 * fixtures and plain JavaScript: no tsx, no native module, nothing an emulated Node cannot load.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasWasmSimd, relaxedSupport } from '../../src/index.js';
import { readNpy } from '../../src/io/npy.js';
import { encodeWgm } from '../../src/model/write.js';
import { importOnnx } from '../onnx/import.js';
import { scoreCases, seededWindows, type ScoreCase } from './score-cases.js';

/** The repository root, from tools/portability (source) or dist/tools/portability (built). */
const ROOT = ['../../', '../../../'].map((rel) => fileURLToPath(new URL(rel, import.meta.url))).find((d) => existsSync(`${d}fixtures/onnx`)) ?? process.cwd() + '/';

/** ONNX fixtures imported here in f32 and INT8: LSTM/GRU, both GRU reset variants, stacked, bidirectional, layer norm, pools. */
export const ONNX_FIXTURES = ['lstm_i3_h13_last', 'gru_i5_h37_hn_t1000', 'gru2_bi_hn_t1_sigmoid', 'lstm2_bi_layernorm_final_state', 'lstm_bi_layernorm_mean', 'gru_layernorm_last'];

/**
 * The committed demo models on the committed ECG windows (the INT8 one in format version 4, and
 * as version 3 wrote it, fixtures/models/legacy: both INT8 activation schemes), and the ONNX
 * fixtures imported in f32 and INT8 on seeded inputs.
 */
export function buildCases(): ScoreCase[] {
  const cases: ScoreCase[] = [];
  const beats = readNpy(readFileSync(`${ROOT}fixtures/signals/ecg-beats.npy`), 'ecg-beats.npy');
  const [n, T] = beats.shape;
  for (const file of ['ecg-beat-gru.wgm', 'ecg-beat-gru-int8.wgm', 'legacy/ecg-beat-gru-int8.v3.wgm']) {
    cases.push({ key: `demo/${file}`, model: readFileSync(`${ROOT}fixtures/models/${file}`), windows: beats.data as Float32Array, n, T });
  }
  for (const [i, name] of ONNX_FIXTURES.entries()) {
    const bytes = readFileSync(`${ROOT}fixtures/onnx/${name}.onnx`);
    for (const int8 of [false, true]) {
      const { model } = importOnnx(bytes, { source: name, int8 });
      const T = 42;
      cases.push({ key: `${name}/${int8 ? 'int8' : 'f32'}`, model: encodeWgm(model), windows: seededWindows(i + 1, 8 * T * model.metadata.input.channels), n: 8, T });
    }
  }
  return cases;
}

/** Writes the cases as files plus cases.json ({key, model, windows, n, T} with file names) for a browser page. */
export function writeCases(cases: ScoreCase[], dir: string): void {
  mkdirSync(dir, { recursive: true });
  const index = cases.map((c, i) => {
    writeFileSync(join(dir, `case${i}.wgm`), c.model);
    writeFileSync(join(dir, `case${i}.f32`), new Uint8Array(c.windows.buffer, c.windows.byteOffset, c.windows.byteLength));
    return { key: c.key, model: `case${i}.wgm`, windows: `case${i}.f32`, n: c.n, T: c.T };
  });
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(index));
}

export async function scoreDigests(): Promise<{ platform: string; node: string; simd: boolean; relaxed: boolean; digests: Record<string, string> }> {
  const digests = await scoreCases(buildCases());
  return { platform: `${process.platform}-${process.arch}`, node: process.version, simd: hasWasmSimd(), relaxed: (await relaxedSupport()).usable, digests };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--write-cases');
  const job = at > 0 ? Promise.resolve(writeCases(buildCases(), process.argv[at + 1] ?? 'out/portability-cases')) : scoreDigests().then((r) => console.log(JSON.stringify(r)));
  job.catch((e: unknown) => {
    process.stderr.write(`score-digests: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
