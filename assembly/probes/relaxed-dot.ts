// Benchmark probe, not part of the kernel builds (asconfig.json compiles assembly/index.ts only).
// AssemblyScript source of `npm run bench:relaxed-probe` (tools/bench/relaxed-probe.ts), compiled
// by it with --enable relaxed-simd: the throughput of relaxed SIMD's 8-bit dot product, in the two
// forms kernel-relaxed.wasm can use (kernels/simd/dot.ts setRelaxedDotForm), against the
// i32x4.dot_i16x8_s + i32x4.add pair kernel-simd.wasm uses; 8 independent accumulators, operands
// from memory as in a mat-vec inner loop.
export function relaxedAdd(iters: i32): i32 {
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const x = v128.load(0);
  for (let i = 0; i < iters; i++) {
    const o = <usize>((i & 63) << 7);
    a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(o), x, a0);
    a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(o, 16), x, a1);
    a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(o, 32), x, a2);
    a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(o, 48), x, a3);
    a4 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(o, 64), x, a4);
    a5 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(o, 80), x, a5);
    a6 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(o, 96), x, a6);
    a7 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(o, 112), x, a7);
  }
  const s = i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7)));
  return i32x4.extract_lane(s, 0);
}
// @ts-ignore: decorator
@inline function wide(w: v128, x: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, x)));
}
/** Form 1: i16x8.relaxed_dot_i8x16_i7x16_s + i32x4.extadd_pairwise_i16x8_s + i32x4.add. */
export function relaxedWide(iters: i32): i32 {
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const x = v128.load(0);
  for (let i = 0; i < iters; i++) {
    const o = <usize>((i & 63) << 7);
    a0 = wide(v128.load(o), x, a0);
    a1 = wide(v128.load(o, 16), x, a1);
    a2 = wide(v128.load(o, 32), x, a2);
    a3 = wide(v128.load(o, 48), x, a3);
    a4 = wide(v128.load(o, 64), x, a4);
    a5 = wide(v128.load(o, 80), x, a5);
    a6 = wide(v128.load(o, 96), x, a6);
    a7 = wide(v128.load(o, 112), x, a7);
  }
  const s = i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7)));
  return i32x4.extract_lane(s, 0);
}
export function dot16(iters: i32): i32 {
  let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const x = v128.load(0);
  for (let i = 0; i < iters; i++) {
    const o = <usize>((i & 63) << 7);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(o), x));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(o, 16), x));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(o, 32), x));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(o, 48), x));
    a4 = i32x4.add(a4, i32x4.dot_i16x8_s(v128.load(o, 64), x));
    a5 = i32x4.add(a5, i32x4.dot_i16x8_s(v128.load(o, 80), x));
    a6 = i32x4.add(a6, i32x4.dot_i16x8_s(v128.load(o, 96), x));
    a7 = i32x4.add(a7, i32x4.dot_i16x8_s(v128.load(o, 112), x));
  }
  const s = i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7)));
  return i32x4.extract_lane(s, 0);
}
