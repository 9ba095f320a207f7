/**
 * Human output of the RNN benchmark: Markdown tables (pasted as they are into BENCHMARKS.md)
 * with the ratios the bars talk about side by side, and a check of each bar.
 */
import { IMPLS, sizeKey, type BenchRow, type ImplName } from './cases.js';
import type { SimdPeak } from './simd-peak.js';

/**
 * The wavegate INT8 row the ratios are about: the relaxed build where the run has it (what
 * `auto` picks on Node >= 22), else the SIMD build.
 */
export function int8Impl(rows: BenchRow[]): ImplName {
  return rows.some((r) => r.impl === 'wavegate-int8-relaxed') ? 'wavegate-int8-relaxed' : 'wavegate-int8-simd';
}

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

/**
 * GMAC/s of each implementation, and wavegate INT8's share of the measured integer SIMD peaks:
 * the dot_i16x8 pair's (the SIMD build's instruction) and, where measured, the relaxed dot's.
 */
export function formatGmacsTable(rows: BenchRow[], peak?: SimdPeak): string {
  const INT8 = int8Impl(rows);
  const impls = IMPLS.filter((i) => rows.some((r) => r.impl === i));
  const relaxedPeak = peak?.relaxedDotGmacs;
  const body = points(rows).map((p) => {
    const int8 = p.byImpl.get(INT8)?.gmacs;
    const share = (of?: number) => (of && int8 !== undefined ? `${fmt((100 * int8) / of)}%` : '—');
    return [p.key, String(p.batch), ...impls.map((i) => fmt(p.byImpl.get(i)?.gmacs, 1)), share(peak?.intDotGmacs), ...(relaxedPeak ? [share(relaxedPeak)] : [])];
  });
  return markdownTable(['I x H x T', 'batch', ...impls, 'int8 % of int peak', ...(relaxedPeak ? ['int8 % of relaxed-dot peak'] : [])], body);
}

/** How many times faster wavegate INT8 (int8Impl) is than each other implementation (peer ns / int8 ns). */
export function formatSpeedupTable(rows: BenchRow[]): string {
  const INT8 = int8Impl(rows);
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

/** peer ns / int8 ns at (key, batch) against the fastest of `peers` present, compared with `atLeast`. */
function ratioBar(rows: BenchRow[], text: string, key: string, peers: ImplName[], atLeast: number, batch = 1): Bar {
  const own = ns(rows, int8Impl(rows), key, batch);
  const other = Math.min(...peers.map((p) => ns(rows, p, key, batch) ?? Infinity));
  if (own === undefined || other === Infinity) return { text, met: undefined, measured: '—' };
  const r = other / own;
  return { text, met: r >= atLeast, measured: `${r.toFixed(2)}x` };
}

function peakBar(rows: BenchRow[], text: string, key: string, batch: number, of: number | undefined, atLeast: number): Bar {
  const row = rows.find((r) => r.impl === int8Impl(rows) && sizeKey(r) === key && r.batch === batch);
  if (!row || !of) return { text, met: undefined, measured: '—' };
  const share = row.gmacs / of;
  return { text, met: share >= atLeast, measured: `${(100 * share).toFixed(0)}%` };
}

/**
 * The issues' speed bars that this benchmark can check, evaluated on the rows of one run: issue
 * 12's (relaxed SIMD, Node 24) first, then issue 8's. "int8" is int8Impl: the relaxed build where
 * the run has it.
 */
export function evaluateBars(rows: BenchRow[], peak?: SimdPeak): Bar[] {
  const bars: Bar[] = [
    ratioBar(rows, 'int8 no slower than ort-node (f32 or int8, the faster) at 1x64x360, batch 1', '1x64x360', ['ort-node', 'ort-node-int8'], 1),
    ratioBar(rows, 'int8 >= 0.6x ort-node-int8 at 64x256x200, batch 1', '64x256x200', ['ort-node-int8'], 0.6),
    peakBar(rows, 'int8 >= 50% of the relaxed-dot peak at 64x256x200, batch 32', '64x256x200', 32, peak?.relaxedDotGmacs, 0.5),
  ];
  for (const key of ['1x128x360', '64x256x200']) {
    bars.push(ratioBar(rows, `int8 >= 2x ort-web (f32) at ${key}, batch 1`, key, ['ort-web'], 2));
    bars.push(ratioBar(rows, `int8 >= 4x ort-web-int8 at ${key}, batch 1`, key, ['ort-web-int8'], 4));
  }
  bars.push(ratioBar(rows, 'int8 >= 1.5x wavegate-f32-simd at 64x256x200, batch 1', '64x256x200', ['wavegate-f32-simd'], 1.5));
  // "no slower than 1.5x ort-node-int8": int8 time <= 1.5 * peer time, i.e. peer/int8 >= 1/1.5.
  bars.push(ratioBar(rows, 'int8 no slower than 1.5x ort-node-int8 at 1x64x360, batch 1', '1x64x360', ['ort-node-int8'], 1 / 1.5));
  bars.push(peakBar(rows, 'int8 >= 60% of the integer SIMD peak at 64x256x200, batch 1', '64x256x200', 1, peak?.intDotGmacs, 0.6));
  return bars;
}

export function formatBars(bars: Bar[]): string {
  const verdict = (b: Bar): string => (b.met === undefined ? 'not measured' : b.met ? 'met' : 'NOT met');
  return markdownTable(['bar', 'measured', 'verdict'], bars.map((b) => [b.text, b.measured, verdict(b)]));
}
