import { describe, expect, it } from 'vitest';
import { makeRow, type BenchRow, type ImplName } from '../../../tools/bench/cases.js';
import { evaluateBars, formatBars, formatNsTable, formatSpeedupTable, markdownTable } from '../../../tools/bench/table.js';

function row(impl: ImplName, I: number, H: number, T: number, nsPerStep: number, batch = 1): BenchRow {
  return makeRow(impl, { cell: 'lstm', I, H, T, batch }, nsPerStep * T);
}

describe('benchmark tables', () => {
  it('markdown tables have one header, one rule and a line per row', () => {
    const t = markdownTable(['a', 'bb'], [['1', '2'], ['333', '4']]).split('\n');
    expect(t).toHaveLength(4);
    expect(t[1]).toMatch(/^\|-+\|-+\|$/);
    expect(t[3]).toContain('333');
  });

  it('speed-ups are peer ns / int8 ns', () => {
    const rows = [row('wavegate-int8-simd', 1, 64, 360, 500), row('ort-web', 1, 64, 360, 2000)];
    expect(formatSpeedupTable(rows)).toContain('4.00x');
    expect(formatNsTable(rows)).toContain('2000');
  });

  it('evaluates the bars from the rows, and says when a row is missing', () => {
    const peak = { intDotGmacs: 40, f32Gmacs: 20, intConfig: '', f32Config: '' };
    const gmacsAt = (ns: number): number => (4 * 256 * 320) / ns; // 64x256 LSTM, batch 1
    const int8Ns = (4 * 256 * 320) / 30; // 30 GMAC/s = 75% of 40
    const rows = [
      row('wavegate-int8-simd', 64, 256, 200, int8Ns),
      row('ort-web', 64, 256, 200, int8Ns * 2.5),
      row('ort-web-int8', 64, 256, 200, int8Ns * 3),
      row('wavegate-f32-simd', 64, 256, 200, int8Ns * 1.6),
      row('wavegate-int8-simd', 1, 64, 360, 1000),
      row('ort-node-int8', 1, 64, 360, 800),
    ];
    expect(gmacsAt(int8Ns)).toBeCloseTo(30);
    const bars = evaluateBars(rows, peak);
    const by = (s: string): boolean | undefined => bars.find((b) => b.text.includes(s))?.met;
    expect(by('2x ort-web (f32) at 64x256x200')).toBe(true);
    expect(by('4x ort-web-int8 at 64x256x200')).toBe(false);
    expect(by('1.5x wavegate-f32-simd')).toBe(true);
    expect(by('no slower than 1.5x ort-node-int8')).toBe(true); // 1000 <= 1.5 * 800
    expect(by('60% of the integer SIMD peak')).toBe(true);
    expect(by('at 1x128x360')).toBeUndefined();
    expect(formatBars(bars)).toContain('not measured');
  });
});
