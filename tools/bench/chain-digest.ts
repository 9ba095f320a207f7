/**
 * Bit-identity check of the signal chain, for changes that must not move a bit (performance
 * work): SHA-256 digests of every window, index and feature row the chain (src/signal/chain.ts)
 * emits for a set of model input specs and chunkings, plus given-peaks beat windows and the QRS
 * detector alone under several option sets, on MIT-BIH records. Run it on the tree before and
 * after a change and compare the lines (the last one digests them all).
 *
 *   npx tsx tools/bench/chain-digest.ts [--root DIR] [--records DIR] [--seconds S] [record ...]
 *
 * --root: the source tree to check (default this one), e.g. a `git archive` of main; --seconds:
 * only the first S seconds of each record (default: whole records); records default to six with
 * noise, wide V beats and pauses (100 106 108 203 207 232). Chunkings: 36 frames (a host's 100 ms
 * frames), 360, and seeded random sizes 0..1500 including empty and one-frame chunks; windows of
 * a stream chain are its chunks, so those digests differ by chunking, the others must not.
 */
import { join, resolve } from 'node:path';
import { sha256Hex } from '../../src/model/digest.js';

/** Bytes collected, then hashed at once with the project's one SHA-256. */
class Digest {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  update(x: string | Uint8Array): void {
    const b = typeof x === 'string' ? new TextEncoder().encode(x) : x.slice();
    this.parts.push(b);
    this.size += b.length;
  }
  hex(): string {
    const all = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      all.set(p, at);
      at += p.length;
    }
    return sha256Hex(all);
  }
}

interface Args {
  root: string;
  records: string;
  seconds: number;
  names: string[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = { root: resolve('.'), records: resolve(process.env.WAVEGATE_DATA ?? '../shared/data', 'mitdb'), seconds: 0, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--root') a.root = resolve(argv[++i]);
    else if (k === '--records') a.records = resolve(argv[++i]);
    else if (k === '--seconds') a.seconds = Number(argv[++i]);
    else if (k.startsWith('--')) throw new Error(`chain-digest: unknown option ${k}`);
    else a.names.push(k);
  }
  if (a.names.length === 0) a.names = ['100', '106', '108', '203', '207', '232'];
  return a;
}

const args = parseArgs(process.argv.slice(2));
// Loaded from --root, so that the same script checks another tree.
const { createSignalChain } = await import(join(args.root, 'src/signal/chain.ts'));
const { detectQrs } = await import(join(args.root, 'src/signal/qrs.ts'));
const { leadSignal, readWfdbAnnotations, readWfdbRecord } = await import(join(args.root, 'src/io/wfdb-record.ts'));

const bandpass = { kind: 'bandpass', low: 0.5, high: 40, order: 2 };
const raw = (channels: string[]) => ({ sampleRate: 360, units: 'mV', channels });
const qrs = (extra: Record<string, unknown> = {}) => ({ detector: 'pan-tompkins', ...extra });
const allRr = ['preRR', 'postRR', 'localRR', 'averageRR', 'preRR/localRR', 'postRR/localRR'];

/** Input specs (loose objects: the chain validates them), one per kind of chain worth covering. */
const CONFIGS: Record<string, Record<string, unknown>> = {
  beatRrNormalized: { channels: 1, sampleRate: 360, raw: raw(['MLII']), preprocessing: [bandpass], windowing: { mode: 'beat', before: 90, after: 166, qrs: qrs() }, features: { kind: 'rr', names: allRr, localBeats: 10, normalize: { mean: [0.8, 0.8, 0.8, 0.8, 1, 1], std: [0.2, 0.25, 0.2, 0.2, 0.3, 0.3] } } },
  beatDemo: { channels: 1, sampleRate: 360, raw: raw(['MLII']), preprocessing: [bandpass], windowing: { mode: 'beat', before: 64, after: 64, qrs: qrs() } },
  beat2chBaseline: { channels: 2, sampleRate: 360, raw: raw(['MLII', 'V']), preprocessing: [{ kind: 'baseline', windows: [0.2, 0.6] }, { kind: 'normalize', mean: [0.1, -0.1], std: [0.5, 0.7] }], windowing: { mode: 'beat', before: 100, after: 200, qrs: qrs({ latency: 3.5, refine: 0.05 }) }, features: { kind: 'rr', names: ['preRR', 'localRR', 'averageRR/preRR'], localBeats: 4 } },
  beatResample250: { channels: 1, sampleRate: 250, raw: raw(['MLII']), preprocessing: [{ kind: 'resample', to: 250 }, bandpass], windowing: { mode: 'beat', before: 60, after: 120, qrs: qrs() }, features: { kind: 'rr', names: ['preRR', 'postRR'], localBeats: 10 } },
  beatResample1000: { channels: 1, sampleRate: 1000, raw: raw(['MLII']), preprocessing: [{ kind: 'resample', to: 1000 }], windowing: { mode: 'beat', before: 200, after: 300, qrs: qrs() } },
  beatDecimate180: { channels: 1, sampleRate: 180, raw: raw(['MLII']), preprocessing: [{ kind: 'highpass', cutoff: 0.7, order: 3 }, { kind: 'decimate', to: 180 }], windowing: { mode: 'beat', before: 40, after: 80, qrs: qrs({ band: [4, 18] }) } },
  beatResample128: { channels: 1, sampleRate: 128, raw: raw(['MLII']), preprocessing: [{ kind: 'resample', to: 128 }, { kind: 'lowpass', cutoff: 30, order: 4 }], windowing: { mode: 'beat', before: 30, after: 50, qrs: qrs() }, features: { kind: 'rr', names: ['preRR', 'postRR', 'postRR/preRR'], localBeats: 3 } },
  fixed128: { channels: 1, sampleRate: 360, raw: raw(['MLII']), window: 128, hop: 128, windowing: { mode: 'fixed', window: 128, hop: 128 } },
  fixedOverlap: { channels: 1, sampleRate: 360, raw: raw(['MLII']), preprocessing: [bandpass, { kind: 'normalize', mean: 0.1, std: 0.4 }], windowing: { mode: 'fixed', window: 256, hop: 90 } },
  fixedSkip2ch: { channels: 2, sampleRate: 120, raw: raw(['MLII', 'V']), preprocessing: [{ kind: 'decimate', to: 120 }, { kind: 'highpass', cutoff: 0.5, order: 1 }], windowing: { mode: 'fixed', window: 50, hop: 77 } },
  stream: { channels: 1, sampleRate: 360, raw: raw(['MLII']), preprocessing: [{ kind: 'baseline', windows: [0.2, 0.6] }, bandpass] },
};

/** Seeded LCG in [0, 1): chunk sizes reproducible across trees. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const CHUNKINGS: Record<string, (next: () => number) => number> = {
  c36: () => 36,
  c360: () => 360,
  random: (next) => {
    const u = next();
    return u < 0.05 ? 0 : u < 0.15 ? 1 : Math.floor(next() * 1500);
  },
};

interface Window {
  index: number;
  sample: number;
  at: number;
  beat?: number;
  data: Float32Array;
  features?: Float32Array;
}

const bytes = (x: Float32Array): Uint8Array => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);

function digestWindows(h: Digest, windows: Window[]): number {
  for (const w of windows) {
    h.update(`${w.index}|${w.sample}|${w.at}|${w.beat}|`);
    h.update(bytes(w.data));
    if (w.features) h.update(bytes(w.features));
    h.update(';');
  }
  return windows.length;
}

const records = args.names.map((name) => {
  const rec = readWfdbRecord(join(args.records, name));
  const lead0 = rec.header.signals[0].description as string;
  const lead1 = rec.header.signals[1].description as string;
  const a = leadSignal(rec, lead0).physical as Float32Array;
  const b = leadSignal(rec, lead1).physical as Float32Array;
  const n = args.seconds > 0 ? Math.min(a.length, Math.round(args.seconds * rec.header.fs)) : a.length;
  const two = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    two[2 * i] = a[i];
    two[2 * i + 1] = b[i];
  }
  const peaks = (readWfdbAnnotations(join(args.records, name)) as Array<{ sample: number }>).map((x) => x.sample).filter((s) => s < n);
  return { name, one: a.subarray(0, n), two, peaks };
});

const all = new Digest();
const line = (what: string, how: string, count: number | string, hex: string) => {
  all.update(hex);
  process.stdout.write(`${what.padEnd(18)} ${how.padEnd(7)} ${String(count).padStart(8)} ${hex.slice(0, 16)}\n`);
};

for (const [name, input] of Object.entries(CONFIGS)) {
  const c = input.channels as number;
  for (const [how, size] of Object.entries(CHUNKINGS)) {
    const h = new Digest();
    let count = 0;
    for (const r of records) {
      const x = c === 2 ? r.two : r.one;
      const frames = x.length / c;
      const chain = createSignalChain(input, 360);
      const next = lcg(Number(r.name) * 7 + how.length);
      for (let i = 0; i < frames; ) {
        const n = Math.min(size(next), frames - i);
        count += digestWindows(h, chain.push(x.subarray(i * c, (i + n) * c)));
        i += n;
      }
      count += digestWindows(h, chain.flush());
    }
    line(name, how, count, h.hex());
  }
}

{
  // Given peaks (the dataset builders' path): reference annotations pushed a little late, in bursts.
  const h = new Digest();
  let count = 0;
  for (const r of records) {
    const chain = createSignalChain(CONFIGS.beatRrNormalized, 360, { peaks: 'given' });
    const next = lcg(5);
    let p = 0;
    for (let i = 0; i < r.one.length; ) {
      const n = Math.min(Math.floor(next() * 900), r.one.length - i);
      count += digestWindows(h, chain.push(r.one.subarray(i, i + n)));
      const ready: number[] = [];
      while (p < r.peaks.length && r.peaks[p] < i + n + 200) ready.push(r.peaks[p++]);
      count += digestWindows(h, chain.pushPeaks(ready));
      i += n;
    }
    count += digestWindows(h, chain.pushPeaks(r.peaks.slice(p)));
    count += digestWindows(h, chain.flush());
  }
  line('givenPeaks', 'random', count, h.hex());
}

{
  const h = new Digest();
  let count = 0;
  const optionSets = [{ fs: 360 }, { fs: 360, latency: 5, learning: 3 }, { fs: 360, searchBack: 1.2, latency: 2.7 }, { fs: 360, integration: 0.1, refractory: 0.25, lookahead: 0.3 }];
  for (const r of records) {
    for (const options of optionSets) {
      const peaks = detectQrs(r.one, options) as number[];
      count += peaks.length;
      h.update(JSON.stringify(peaks));
    }
  }
  line('detectQrs', 'whole', count, h.hex());
}

process.stdout.write(`all ${all.hex()}\n`);
