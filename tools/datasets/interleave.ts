/** Frames from per-channel signals, as the model input layout [T, C] wants them. */

/** Interleaves equal-length channels into frames [t][c]. */
export function interleave(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const n = channels[0].length;
  const c = channels.length;
  const out = new Float32Array(n * c);
  for (let k = 0; k < c; k++) {
    const ch = channels[k];
    for (let t = 0; t < n; t++) out[t * c + k] = ch[t];
  }
  return out;
}
