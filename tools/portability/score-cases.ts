/**
 * The platform-neutral half of the portability check: scores cases (model bytes + inputs) with
 * every kernel build the engine has and returns the SHA-256 of each output. Imports only the
 * runtime's public API and the project's pure-JS SHA-256 (src/model/digest.ts), so the same code
 * runs under Node (any CPU) and in a browser page.
 */
import { hasWasmSimd, loadModel, relaxedSupport } from '../../src/index.js';
import { sha256Hex } from '../../src/model/digest.js';
import { Rng } from '../synth/rng.js';

/** The kernel builds this engine runs: ref, simd where it has WASM SIMD, relaxed where the runtime accepts it. */
export async function engineBuilds(): Promise<('ref' | 'simd' | 'relaxed')[]> {
  if (!hasWasmSimd()) return ['ref'];
  return (await relaxedSupport()).usable ? ['ref', 'simd', 'relaxed'] : ['ref', 'simd'];
}

export interface ScoreCase {
  key: string;
  /** A .wgm file. */
  model: Uint8Array;
  /** [n, T, C] float32. */
  windows: Float32Array;
  n: number;
  T: number;
}

export async function scoreCases(cases: ScoreCase[]): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const c of cases) {
    const m = await loadModel(c.model);
    const streamable = (await m.inspect()).streamable;
    const C = m.metadata.input.channels;
    for (const backend of await engineBuilds()) {
      const s = await m.createSession({ backend, maxBatch: 8, streams: 8 });
      digests[`${c.key}/${backend}/window`] = sha256Hex(bytesOf(s.run(c.windows, c.n, c.T)));
      if (streamable && c.n >= 8) {
        // Streaming: 8 streams, chunks of 7 steps (state carried in the kernel), every step's output.
        const ids = Array.from({ length: 8 }, (_, i) => i);
        const parts: Float32Array[] = [];
        for (let t0 = 0; t0 + 7 <= c.T; t0 += 7) {
          parts.push(s.push(ids, ids.map((b) => c.windows.subarray((b * c.T + t0) * C, (b * c.T + t0 + 7) * C)), { outputs: 'all' }));
        }
        const all = new Float32Array(parts.reduce((k, p) => k + p.length, 0));
        parts.reduce((o, p) => (all.set(p, o), o + p.length), 0);
        digests[`${c.key}/${backend}/stream`] = sha256Hex(bytesOf(all));
      }
      s.dispose();
    }
    m.dispose();
  }
  return digests;
}

/** Deterministic inputs in [-2, 2) (the seeded generator of tools/synth/rng.ts), identical on every engine. */
export function seededWindows(seed: number, length: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.uniform(-2, 2);
  return out;
}
