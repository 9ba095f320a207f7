/** [T, batch, I] (ONNX time-major) -> [batch, T, I] (wavegate's run/push layout). */
export function batchMajor(x: Float32Array, T: number, batch: number, I: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < batch; b++) out.set(x.subarray((t * batch + b) * I, (t * batch + b + 1) * I), (b * T + t) * I);
  }
  return out;
}
