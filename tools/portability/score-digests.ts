/**
 * Scores a fixed set of models on fixed inputs with every kernel build this engine can run and
 * prints, per (model, precision, build, mode), the SHA-256 of the output bytes, as one JSON object.
 *
 *   node dist/tools/portability/score-digests.js
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu <arm64 node> dist/tools/portability/score-digests.js
 *
 * Run on two CPUs, equal digests mean bit-identical results (test/portability/cross-cpu.test.ts
 * runs it on x64, and on arm64 and 32-bit ARM Node under qemu-user). Inputs are generated from
 * seeds, so the script needs only the committed fixtures and plain JavaScript: no tsx, no native
 * module, nothing an emulated Node could not load.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasWasmSimd, loadModel, type WgmModel } from '../../src/index.js';
import { readNpy } from '../../src/io/npy.js';
import { importOnnx } from '../onnx/import.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** ONNX fixtures imported here in f32 and INT8: LSTM/GRU, both GRU reset variants, stacked, bidirectional, layer norm, pools. */
export const ONNX_FIXTURES = ['lstm_i3_h13_last', 'gru_i5_h37_hn_t1000', 'gru2_bi_hn_t1_sigmoid', 'lstm2_bi_layernorm_final_state', 'lstm_bi_layernorm_mean', 'gru_layernorm_last'];

/** Deterministic inputs in [-2, 2) (mulberry32), identical on every engine. */
function seededWindows(seed: number, length: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 4 - 2;
  }
  return out;
}

function sha(a: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

async function digestModel(out: Record<string, string>, key: string, model: WgmModel | Uint8Array, windows: Float32Array, n: number, T: number): Promise<void> {
  const m = await loadModel(model);
  const builds = hasWasmSimd() ? (['ref', 'simd'] as const) : (['ref'] as const);
  for (const backend of builds) {
    const s = await m.createSession({ backend, maxBatch: 8, streams: 8 });
    out[`${key}/${backend}/window`] = sha(s.run(windows, n, T));
    if ((await m.inspect()).streamable) {
      // Streaming: 8 streams, chunks of 7 steps (state carried in the kernel), every step's output.
      const C = m.metadata.input.channels;
      const ids = Array.from({ length: 8 }, (_, i) => i);
      const parts: Float32Array[] = [];
      for (let t0 = 0; t0 + 7 <= T; t0 += 7) {
        const chunk = ids.map((b) => windows.subarray((b * T + t0) * C, (b * T + t0 + 7) * C));
        parts.push(s.push(ids, chunk, { outputs: 'all' }));
      }
      const all = new Float32Array(parts.reduce((k, p) => k + p.length, 0));
      parts.reduce((o, p) => (all.set(p, o), o + p.length), 0);
      out[`${key}/${backend}/stream`] = sha(all);
    }
    s.dispose();
  }
}

export async function scoreDigests(): Promise<{ platform: string; node: string; simd: boolean; digests: Record<string, string> }> {
  const digests: Record<string, string> = {};
  const beats = readNpy(readFileSync(`${ROOT}fixtures/signals/ecg-beats.npy`), 'ecg-beats.npy');
  const [n, T] = beats.shape;
  for (const file of ['ecg-beat-gru.wgm', 'ecg-beat-gru-int8.wgm']) {
    await digestModel(digests, `demo/${file}`, readFileSync(`${ROOT}fixtures/models/${file}`), beats.data as Float32Array, n, T);
  }
  for (const name of ONNX_FIXTURES) {
    const bytes = readFileSync(`${ROOT}fixtures/onnx/${name}.onnx`);
    for (const int8 of [false, true]) {
      const { model } = importOnnx(bytes, { source: name, int8 });
      const T = 42;
      const windows = seededWindows(ONNX_FIXTURES.indexOf(name) + 1, 8 * T * model.metadata.input.channels);
      await digestModel(digests, `${name}/${int8 ? 'int8' : 'f32'}`, model, windows, 8, T);
    }
  }
  return { platform: `${process.platform}-${process.arch}`, node: process.version, simd: hasWasmSimd(), digests };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  scoreDigests().then(
    (r) => console.log(JSON.stringify(r)),
    (e: unknown) => {
      process.stderr.write(`score-digests: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
