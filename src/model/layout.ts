/**
 * The canonical byte layout of a .wgm (safetensors) file, shared by the writer and the loader.
 *
 *   [0, 8)          u64 LE N: byte length of the JSON header
 *   [8, 8 + N)      JSON header, UTF-8, right-padded with spaces so that N % 8 === 0
 *   [8 + N, end)    data section: the tensors back to back, no gaps (safetensors requires it)
 *
 * Tensor order in the data section: F32 tensors, then I32, then F16, then I8, each group by
 * name in code-unit order. This is the order Hugging Face's safetensors writer uses (dtype descending,
 * then name), so a file it writes from the same tensors has the same data section; since the
 * data section starts 8-aligned, every F32/I32 tensor starts 4-aligned (and every F16 tensor
 * 2-aligned) in the file and can be viewed without a copy. Tensors are not padded to 16 bytes: safetensors readers reject gaps
 * between tensors, and the kernel copies weights into its own packed layout anyway.
 */
import type { TensorDType } from './schema.js';
import { DTYPES } from './formats.js';

/** Bytes of the u64 header-length prefix. */
export const PREFIX_BYTES = 8;
/** The JSON header is space padded to a multiple of this. */
export const HEADER_ALIGN = 8;
/** Key of the string map safetensors reserves for free-form metadata. */
export const METADATA_KEY = '__metadata__';
/** `__metadata__` key holding the JSON text of the WgmMetadata object. */
export const META_WAVEGATE = 'wavegate';
/** `__metadata__` key holding the digest (see digest.ts). */
export const META_SHA256 = 'wavegate.sha256';
/** `__metadata__` key holding an optional base64 ed25519 signature of the digest's 32 bytes. */
export const META_SIGNATURE = 'wavegate.signature';

// safetensors' Dtype enum (BOOL, U8, I8, ..., F16, BF16, I32, U32, F32, ...) sorted descending.
const DTYPE_RANK: Readonly<Record<TensorDType, number>> = { F32: 0, I32: 1, F16: 2, I8: 3 };

/** Name order by UTF-16 code units (no locale): stable across machines. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface LayoutEntry {
  name: string;
  dtype: TensorDType;
  shape: number[];
  /** [begin, end) byte offsets within the data section. */
  begin: number;
  end: number;
}

/** Lays tensors out in canonical order; the result's offsets are what a valid file must carry. */
export function canonicalLayout(tensors: Iterable<{ name: string; dtype: TensorDType; shape: number[] }>): LayoutEntry[] {
  const sorted = [...tensors].sort((a, b) => DTYPE_RANK[a.dtype] - DTYPE_RANK[b.dtype] || compareNames(a.name, b.name));
  let offset = 0;
  return sorted.map((t) => {
    let n = 1;
    for (const d of t.shape) n *= d;
    const begin = offset;
    offset += n * DTYPES[t.dtype].bytes;
    return { name: t.name, dtype: t.dtype, shape: [...t.shape], begin, end: offset };
  });
}

/**
 * JSON.stringify with object keys sorted at every level, so equal values give equal text.
 * `undefined` members are dropped as JSON.stringify drops them.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort(compareNames)) out[k] = (v as Record<string, unknown>)[k];
    return out;
  });
}
