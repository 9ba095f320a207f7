/**
 * `npm run bench:relaxed-probe`: would relaxed SIMD's 8-bit dot product
 * (`i32x4.relaxed_dot_i8x16_i7x16_add_s`, 16 MACs per instruction, accumulate included) beat the
 * `i32x4.dot_i16x8_s` + `i32x4.add` pair (8 MACs per two instructions) the kernel uses, on this
 * engine and CPU? The issue allows relaxed SIMD behind an explicit option; whether it pays depends
 * on how the engine lowers it (one VNNI `vpdpbusd`, or `pmaddubsw` + `pmaddwd` + `paddd`).
 * Compiles assembly/probes/relaxed-dot.ts with asc and prints GMAC/s of both, best of 7 runs.
 * Node 20 needs `--experimental-wasm-relaxed-simd`, which the npm script passes.
 */
import asc from 'assemblyscript/asc';
import { fileURLToPath } from 'node:url';

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
const ex = instance.exports as { relaxedAdd: (n: number) => number; dot16: (n: number) => number; memory: WebAssembly.Memory };
new Uint8Array(ex.memory.buffer).fill(3);
const N = 2_000_000;
for (let w = 0; w < 3; w++) (ex.relaxedAdd(N), ex.dot16(N));
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
const dot16 = rate(ex.dot16, 8 * 8);
console.log(`Node ${process.version} (V8 ${process.versions.v8})`);
console.log(`i32x4.relaxed_dot_i8x16_i7x16_add_s: ${relaxed.toFixed(1)} GMAC/s`);
console.log(`i32x4.dot_i16x8_s + i32x4.add:      ${dot16.toFixed(1)} GMAC/s`);
console.log(`relaxed / kernel's pair:            ${(relaxed / dot16).toFixed(2)}x`);
