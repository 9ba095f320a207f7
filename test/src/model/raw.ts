/** Test helper: take a .wgm apart into header JSON + data, edit, and put it back together. */
import { wgmDigest } from '../../../src/model/digest.js';

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
