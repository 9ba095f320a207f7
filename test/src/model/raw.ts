/** Test helper: take a .wgm apart into header JSON + data, edit, and put it back together. */
import { wgmDigest } from '../../../src/model/digest.js';
import { canonicalLayout, stableStringify } from '../../../src/model/layout.js';
import type { WgmModel } from '../../../src/model/schema.js';

export interface RawWgm {
  header: Record<string, any>;
  data: Uint8Array;
}

export function splitWgm(bytes: Uint8Array): RawWgm {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  return { header, data: bytes.slice(8 + n) };
}

/** Reassembles; by default recomputes the digest so that the edit is what the loader trips on. */
export function joinWgm(raw: RawWgm, opts: { redigest?: boolean } = {}): Uint8Array {
  if (opts.redigest !== false && raw.header.__metadata__?.wavegate !== undefined) {
    raw.header.__metadata__['wavegate.sha256'] = wgmDigest(raw.header.__metadata__.wavegate, raw.data);
  }
  const h = Buffer.from(JSON.stringify(raw.header), 'utf8');
  const out = new Uint8Array(8 + h.length + raw.data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(raw.data, 8 + h.length);
  return out;
}

/** Edits the parsed `wavegate` metadata object inside a file and re-digests. */
export function editMetadata(bytes: Uint8Array, edit: (meta: any) => void): Uint8Array {
  const raw = splitWgm(bytes);
  const meta = JSON.parse(raw.header.__metadata__.wavegate);
  edit(meta);
  raw.header.__metadata__.wavegate = JSON.stringify(meta);
  return joinWgm(raw);
}

/**
 * Encodes a model in the canonical safetensors layout WITHOUT the writer's validation, so tests
 * can build well-framed files that break one semantic rule (a wrong dtype for the version, say).
 */
export function encodeUnchecked(model: WgmModel): Uint8Array {
  const layout = canonicalLayout([...model.tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })));
  const data = new Uint8Array(layout.length ? layout[layout.length - 1].end : 0);
  for (const e of layout) {
    const t = model.tensors.get(e.name)!.data;
    data.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), e.begin);
  }
  const text = stableStringify(model.metadata);
  const header: Record<string, any> = { __metadata__: { wavegate: text, 'wavegate.sha256': wgmDigest(text, data) } };
  for (const e of layout) header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [e.begin, e.end] };
  return joinWgm({ header, data }, { redigest: false });
}
