/**
 * `npm run bench:relaxed-probe`: how fast relaxed SIMD's 8-bit dot product is on this engine and
 * CPU, in the two forms kernel-relaxed.wasm can use (docs/kernel-abi.md setRelaxedDotForm):
 * `i32x4.relaxed_dot_i8x16_i7x16_add_s` (16 MACs per instruction, accumulate included: one VNNI
 * `vpdpbusd` or arm64 `sdot` where the CPU has them, else a five-instruction sequence) and
 * `i16x8.relaxed_dot_i8x16_i7x16_s` + `i32x4.extadd_pairwise_i16x8_s` + `i32x4.add`, against the
 * `i32x4.dot_i16x8_s` + `i32x4.add` pair (8 MACs per two instructions) of kernel-simd.wasm.
 * Compiles assembly/probes/relaxed-dot.ts with asc and prints GMAC/s, best of 7 runs.
 * On Node 20, which needs `--experimental-wasm-relaxed-simd` (a flag Node 24 no longer knows),
 * the script sets it itself; speed only: Node 20 computes the relaxed dot wrongly in its baseline
 * tier, which is why the runtime never uses it there (src/runtime/backend.ts).
 */
import asc from 'assemblyscript/asc';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { hasRelaxedSimd } from '../../src/runtime/backend.js';

if (!hasRelaxedSimd()) setFlagsFromString('--experimental-wasm-relaxed-simd');

const source = fileURLToPath(new URL('../../assembly/probes/relaxed-dot.ts', import.meta.url));
const out: Record<string, Uint8Array> = {};
const { error, stderr } = await asc.main([source, '--enable', 'simd', '--enable', 'relaxed-simd', '-O3', '--runtime', 'stub', '--initialMemory', '1', '--outFile', 'probe.wasm'], {
  writeFile: (name: string, contents: Uint8Array | string) => {
    if (typeof contents !== 'string') out[name] = contents;
  },
});
if (error) throw new Error(`asc: ${error.message}\n${stderr.toString()}`);
const wasm = out['probe.wasm'];
let instance: WebAssembly.Instance;
try {
  instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(wasm)), { env: { abort() {} } });
} catch (e) {
  console.log(`relaxed SIMD is not available on this engine (${(e as Error).message}); Node 20 needs --experimental-wasm-relaxed-simd`);
  process.exit(0);
}
const ex = instance.exports as { relaxedAdd: (n: number) => number; relaxedWide: (n: number) => number; dot16: (n: number) => number; memory: WebAssembly.Memory };
new Uint8Array(ex.memory.buffer).fill(3);
const N = 2_000_000;
for (let w = 0; w < 3; w++) (ex.relaxedAdd(N), ex.relaxedWide(N), ex.dot16(N));
const rate = (f: (n: number) => number, macsPerIter: number): number => {
  let best = 0;
  for (let r = 0; r < 7; r++) {
    const t = process.hrtime.bigint();
    f(N);
    best = Math.max(best, (N * macsPerIter) / Number(process.hrtime.bigint() - t));
  }
  return best;
};
const relaxed = rate(ex.relaxedAdd, 8 * 16);
const wide = rate(ex.relaxedWide, 8 * 16);
const dot16 = rate(ex.dot16, 8 * 8);
console.log(`Node ${process.version} (V8 ${process.versions.v8})`);
console.log(`form 0, i32x4.relaxed_dot_i8x16_i7x16_add_s:            ${relaxed.toFixed(1)} GMAC/s (${(relaxed / dot16).toFixed(2)}x the pair)`);
console.log(`form 1, i16x8.relaxed_dot_i8x16_i7x16_s + extadd + add: ${wide.toFixed(1)} GMAC/s (${(wide / dot16).toFixed(2)}x the pair)`);
console.log(`i32x4.dot_i16x8_s + i32x4.add (kernel-simd.wasm):       ${dot16.toFixed(1)} GMAC/s`);
