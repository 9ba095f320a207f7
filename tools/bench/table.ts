/**
 * Human output of the RNN benchmark: Markdown tables (pasted as they are into BENCHMARKS.md)
 * with the ratios the bars talk about side by side, and a check of each bar.
 */
import { IMPLS, sizeKey, type BenchRow, type ImplName } from './cases.js';
import type { SimdPeak } from './simd-peak.js';

const INT8: ImplName = 'wavegate-int8-simd';

/** Markdown table from a header and string cells; columns padded for reading in a terminal. */
export function markdownTable(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits);
}

interface Point {
  key: string;
  batch: number;
  byImpl: Map<ImplName, BenchRow>;
}

/** Groups rows by (I, H, T, batch), in the order they first appear. */
function points(rows: BenchRow[]): Point[] {
  const map = new Map<string, Point>();
  for (const r of rows) {
    const id = `${sizeKey(r)}/${r.batch}`;
    let p = map.get(id);
    if (!p) map.set(id, (p = { key: sizeKey(r), batch: r.batch, byImpl: new Map() }));
    p.byImpl.set(r.impl, r);
  }
  return [...map.values()];
}

/** ns per step of each implementation present, one line per (size, batch). */
export function formatNsTable(rows: BenchRow[]): string {
  const impls = IMPLS.filter((i) => rows.some((r) => r.impl === i));
  const body = points(rows).map((p) => [p.key, String(p.batch), ...impls.map((i) => fmt(p.byImpl.get(i)?.nsPerStep))]);
  return markdownTable(['I x H x T', 'batch', ...impls], body);
}

/** GMAC/s of each implementation, and wavegate INT8's share of the measured integer SIMD peak. */
export function formatGmacsTable(rows: BenchRow[], peak?: SimdPeak): string {
  const impls = IMPLS.filter((i) => rows.some((r) => r.impl === i));
  const body = points(rows).map((p) => {
    const int8 = p.byImpl.get(INT8)?.gmacs;
    const share = peak && int8 !== undefined ? `${fmt((100 * int8) / peak.intDotGmacs)}%` : '—';
    return [p.key, String(p.batch), ...impls.map((i) => fmt(p.byImpl.get(i)?.gmacs, 1)), share];
  });
  return markdownTable(['I x H x T', 'batch', ...impls, 'int8 % of int peak'], body);
}

/** How many times faster wavegate INT8 SIMD is than each other implementation (peer ns / int8 ns). */
export function formatSpeedupTable(rows: BenchRow[]): string {
  const peers = IMPLS.filter((i) => i !== INT8 && rows.some((r) => r.impl === i));
  const body = points(rows).map((p) => {
    const own = p.byImpl.get(INT8)?.nsPerStep;
    return [p.key, String(p.batch), ...peers.map((i) => {
      const other = p.byImpl.get(i)?.nsPerStep;
      return own && other ? `${fmt(other / own, 2)}x` : '—';
    })];
  });
  return markdownTable(['I x H x T', 'batch', ...peers.map((i) => `vs ${i}`)], body);
}

export interface Bar {
  text: string;
  /** undefined when a row it needs is missing. */
  met: boolean | undefined;
  measured: string;
}

function ns(rows: BenchRow[], impl: ImplName, key: string, batch = 1): number | undefined {
  return rows.find((r) => r.impl === impl && sizeKey(r) === key && r.batch === batch)?.nsPerStep;
}

function ratioBar(rows: BenchRow[], text: string, key: string, peer: ImplName, atLeast: number): Bar {
  const own = ns(rows, INT8, key);
  const other = ns(rows, peer, key);
  if (own === undefined || other === undefined) return { text, met: undefined, measured: '—' };
  const r = other / own;
  return { text, met: r >= atLeast, measured: `${r.toFixed(2)}x` };
}

/** The speed bars that this benchmark can check, evaluated on the rows of one run. */
export function evaluateBars(rows: BenchRow[], peak?: SimdPeak): Bar[] {
  const bars: Bar[] = [];
  for (const key of ['1x128x360', '64x256x200']) {
    bars.push(ratioBar(rows, `int8-simd >= 2x ort-web (f32) at ${key}, batch 1`, key, 'ort-web', 2));
    bars.push(ratioBar(rows, `int8-simd >= 4x ort-web-int8 at ${key}, batch 1`, key, 'ort-web-int8', 4));
  }
  bars.push(ratioBar(rows, 'int8-simd >= 1.5x wavegate-f32-simd at 64x256x200, batch 1', '64x256x200', 'wavegate-f32-simd', 1.5));
  // "no slower than 1.5x ort-node-int8": int8 time <= 1.5 * peer time, i.e. peer/int8 >= 1/1.5.
  bars.push(ratioBar(rows, 'int8-simd no slower than 1.5x ort-node-int8 at 1x64x360, batch 1', '1x64x360', 'ort-node-int8', 1 / 1.5));
  const big = rows.find((r) => r.impl === INT8 && sizeKey(r) === '64x256x200' && r.batch === 1);
  const text = 'int8-simd >= 60% of the integer SIMD peak at 64x256x200, batch 1';
  if (big && peak) {
    const share = big.gmacs / peak.intDotGmacs;
    bars.push({ text, met: share >= 0.6, measured: `${(100 * share).toFixed(0)}%` });
  } else bars.push({ text, met: undefined, measured: '—' });
  return bars;
}

export function formatBars(bars: Bar[]): string {
  const verdict = (b: Bar): string => (b.met === undefined ? 'not measured' : b.met ? 'met' : 'NOT met');
  return markdownTable(['bar', 'measured', 'verdict'], bars.map((b) => [b.text, b.measured, verdict(b)]));
}
