/**
 * Shape arithmetic of the ONNX layout ops (Transpose, Squeeze, Unsqueeze, Reshape, Slice,
 * Gather, Concat), written once and used three ways: to fold constants (with data), to follow
 * `fill` tensors (dims only) and to follow activations (dims plus axis tags).
 *
 * Each op returns the output dims and an index map out-multi-index -> in-multi-index, so the
 * constant folder needs no per-op data loop.
 */
import { WavegateError } from '../../src/errors.js';
import { normAxis, sizeOf } from './values.js';

export interface Mapped {
  dims: number[];
  /** Maps an output multi-index to the input multi-index it reads. */
  map: (out: number[]) => number[];
}

function bad(where: string, msg: string): never {
  throw new WavegateError('E_ONNX_FORMAT', `${where}: ${msg}`);
}

export function axisOf(axis: number, rank: number, where: string): number {
  const a = normAxis(axis, rank);
  if (a === undefined) bad(where, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function transposeDims(dims: number[], perm: number[] | undefined, where: string): Mapped & { perm: number[] } {
  const p = perm && perm.length > 0 ? perm : dims.map((_, i) => dims.length - 1 - i);
  if (p.length !== dims.length || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) bad(where, `perm [${p}] does not fit rank ${dims.length}`);
  return {
    perm: p,
    dims: p.map((i) => dims[i]),
    map: (out) => {
      const inp = new Array<number>(dims.length);
      p.forEach((src, k) => (inp[src] = out[k]));
      return inp;
    },
  };
}

export function squeezeDims(dims: number[], axes: number[] | undefined, where: string): Mapped & { removed: number[] } {
  const removed = axes && axes.length > 0 ? axes.map((a) => axisOf(a, dims.length, where)) : dims.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of removed) if (dims[a] !== 1) bad(where, `cannot squeeze axis ${a} of size ${dims[a]}`);
  const keep = dims.map((_, i) => i).filter((i) => !removed.includes(i));
  return {
    removed,
    dims: keep.map((i) => dims[i]),
    map: (out) => {
      const inp = new Array<number>(dims.length).fill(0);
      keep.forEach((src, k) => (inp[src] = out[k]));
      return inp;
    },
  };
}

export function unsqueezeDims(dims: number[], axes: number[], where: string): Mapped & { inserted: number[] } {
  const rank = dims.length + axes.length;
  const inserted = axes.map((a) => axisOf(a, rank, where)).sort((a, b) => a - b);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(inserted.includes(i) ? 1 : dims[k++]);
  return {
    inserted,
    dims: out,
    map: (o) => o.filter((_, i) => !inserted.includes(i)),
  };
}

/** Resolves a Reshape target (0 = copy unless allowzero, -1 = infer). */
export function reshapeDims(dims: number[], target: number[], allowZero: boolean, where: string): Mapped {
  const out = target.map((d, i) => (d === 0 && !allowZero ? (i < dims.length ? dims[i] : bad(where, `0 at position ${i} beyond input rank`)) : d));
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1) bad(where, `more than one -1 in shape [${target}]`);
  const total = sizeOf(dims);
  if (minus === 1) {
    const known = sizeOf(out.filter((d) => d !== -1));
    if (known === 0 || total % known !== 0) bad(where, `cannot infer -1 in [${target}] for ${total} elements`);
    out[out.indexOf(-1)] = total / known;
  }
  if (sizeOf(out) !== total) bad(where, `shape [${out}] has ${sizeOf(out)} elements, input has ${total}`);
  const inStrides = stridesOf(dims);
  const outStrides = stridesOf(out);
  return {
    dims: out,
    map: (o) => unflatten(o.reduce((acc, v, i) => acc + v * outStrides[i], 0), dims, inStrides),
  };
}

/** ONNX Slice for one set of (start, end, axis, step), clamped as the spec says. */
export function sliceDims(dims: number[], starts: number[], ends: number[], axesIn: number[] | undefined, steps: number[] | undefined, where: string): Mapped & { ranges: Map<number, { start: number; step: number; count: number }> } {
  const axes = axesIn ?? starts.map((_, i) => i);
  const ranges = new Map<number, { start: number; step: number; count: number }>();
  axes.forEach((ax, k) => {
    const a = axisOf(ax, dims.length, where);
    const n = dims[a];
    const step = steps?.[k] ?? 1;
    if (step === 0) bad(where, 'slice step 0');
    let s = starts[k];
    let e = ends[k];
    s = s < 0 ? s + n : s;
    e = e < 0 ? e + n : e;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), n);
      e = Math.min(Math.max(e, 0), n);
    } else {
      s = Math.min(Math.max(s, 0), n - 1);
      e = Math.min(Math.max(e, -1), n - 1);
    }
    const count = Math.max(0, Math.ceil((e - s) / step));
    ranges.set(a, { start: s, step, count });
  });
  return {
    ranges,
    dims: dims.map((d, i) => ranges.get(i)?.count ?? d),
    map: (o) => o.map((v, i) => {
      const r = ranges.get(i);
      return r ? r.start + v * r.step : v;
    }),
  };
}

export function gatherDims(dims: number[], axis: number, indexDims: number[], indices: Float64Array, where: string): Mapped & { axis: number; picked: number[] } {
  const a = axisOf(axis, dims.length, where);
  const n = dims[a];
  const picked = Array.from(indices, (i) => {
    const j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) bad(where, `gather index ${i} out of range for axis of size ${n}`);
    return j;
  });
  const idxStrides = stridesOf(indexDims);
  return {
    axis: a,
    picked,
    dims: [...dims.slice(0, a), ...indexDims, ...dims.slice(a + 1)],
    map: (o) => {
      const idxMulti = o.slice(a, a + indexDims.length);
      const flat = idxMulti.reduce((acc, v, i) => acc + v * idxStrides[i], 0);
      return [...o.slice(0, a), picked[flat], ...o.slice(a + indexDims.length)];
    },
  };
}

export function concatDims(parts: number[][], axis: number, where: string): { dims: number[]; axis: number; offsets: number[] } {
  const rank = parts[0].length;
  const a = axisOf(axis, rank, where);
  const offsets: number[] = [];
  let total = 0;
  for (const p of parts) {
    if (p.length !== rank || p.some((d, i) => i !== a && d !== parts[0][i])) bad(where, `concat inputs [${parts.map((x) => `[${x}]`).join(', ')}] disagree off axis ${a}`);
    offsets.push(total);
    total += p[a];
  }
  const dims = [...parts[0]];
  dims[a] = total;
  return { dims, axis: a, offsets };
}

/** Numpy-style broadcast of two shapes. */
export function broadcastDims(a: number[], b: number[], where: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) bad(where, `cannot broadcast [${a}] with [${b}]`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

export function stridesOf(dims: number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

export function unflatten(flat: number[] | number, dims: number[], strides = stridesOf(dims)): number[] {
  let f = flat as number;
  return dims.map((_, i) => {
    const v = Math.floor(f / strides[i]);
    f -= v * strides[i];
    return v;
  });
}

/** Applies an index map to constant data. Refuses to materialise huge tensors (symbolic dims). */
export function remapData(data: Float64Array, inDims: number[], m: Mapped, where: string): Float64Array {
  const n = sizeOf(m.dims);
  if (n > 1 << 23) bad(where, `constant of ${n} elements is too large to fold`);
  const out = new Float64Array(n);
  const inStrides = stridesOf(inDims);
  const outStrides = stridesOf(m.dims);
  for (let i = 0; i < n; i++) {
    const src = m.map(unflatten(i, m.dims, outStrides));
    out[i] = data[src.reduce((acc, v, k) => acc + v * inStrides[k], 0)];
  }
  return out;
}
