import { describe, expect, it } from 'vitest';
import { buildPeakModule, buildRelaxedPeakModule, macsPerIteration, measureSimdPeak, PEAK_FORMS } from '../../../tools/bench/simd-peak.js';
import { hasRelaxedSimd } from '../../../src/runtime/backend.js';

describe('SIMD peak micro-benchmark', () => {
  it('assembles valid modules whose loops compute deterministic results', () => {
    for (const form of PEAK_FORMS) {
      for (const chains of [1, 6, 12]) {
        const bytes = buildPeakModule(chains, form);
        expect(WebAssembly.validate(bytes)).toBe(true);
        const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as {
          intPeak: (n: number) => number;
          f32Peak: (n: number) => number;
          memory: WebAssembly.Memory;
        };
        new Int16Array(ex.memory.buffer, 0, 4096).fill(3);
        // Same iterations, same answer; more iterations, another answer (the loop really runs).
        expect(ex.intPeak(10)).toBe(ex.intPeak(10));
        expect(ex.intPeak(11)).not.toBe(ex.intPeak(10));
        new Float32Array(ex.memory.buffer, 0, 4096).fill(0.5);
        expect(ex.f32Peak(50)).toBe(ex.f32Peak(50));
      }
    }
  });

  it('the relaxed-dot module validates exactly where relaxed SIMD does, and both of its forms compute the same sums', () => {
    const bytes = buildRelaxedPeakModule(8, 'load');
    expect(WebAssembly.validate(bytes)).toBe(hasRelaxedSimd());
    if (!hasRelaxedSimd()) return; // Node 20: the peak line is left out (measureSimdPeak below)
    const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as { relaxedPeak: (n: number) => number; relaxedWidePeak: (n: number) => number; memory: WebAssembly.Memory };
    new Int8Array(ex.memory.buffer, 0, 8192).fill(-3);
    // Operands in the deterministic subset (b's bytes 0..127): the two forms are exact and equal.
    expect(ex.relaxedPeak(10)).toBe(ex.relaxedWidePeak(10));
    expect(ex.relaxedPeak(11)).not.toBe(ex.relaxedPeak(10));
  });

  it('counts 8 MACs per i32x4.dot_i16x8_s, 16 per relaxed dot and 4 per f32x4 mul+add', () => {
    expect(macsPerIteration('int', 10) / macsPerIteration('f32', 10)).toBe(2);
    expect(macsPerIteration('relaxed', 10) / macsPerIteration('int', 10)).toBe(2);
    expect(macsPerIteration('int', 1) % 8).toBe(0);
  });

  it('measures finite positive GMAC/s and names the configuration', async () => {
    const p = await measureSimdPeak({ secondsPerRun: 0.02, runs: 1, chainCounts: [8], forms: ['load'] });
    expect(p.intDotGmacs).toBeGreaterThan(0);
    expect(p.f32Gmacs).toBeGreaterThan(0);
    expect(Number.isFinite(p.intDotGmacs + p.f32Gmacs)).toBe(true);
    expect(p.intConfig).toBe('load, 8 chains');
    expect(p.relaxedDotGmacs !== undefined).toBe(hasRelaxedSimd());
    if (hasRelaxedSimd()) expect(p.relaxedConfig).toMatch(/^form [01], load, 8 chains$/);
  });
});
