/**
 * What the MQTT host must publish for a stream, computed without it: the model's own signal chain
 * over the whole signal, then one Session.run over every window (the reference kernel). The
 * integration tests compare the host's scores with these, window by window.
 */
import { loadModel } from '../../src/runtime/model.js';
import { createSignalChain } from '../../src/signal/chain.js';
import type { WavegateHost } from '../../src/mqtt/host.js';

export async function offlineScores(modelPath: string, signal: Float32Array, fs: number): Promise<number[][]> {
  const model = await loadModel(modelPath);
  try {
    const chain = createSignalChain(model.metadata.input, fs);
    const windows = chain.push(signal);
    const T = model.metadata.input.window!;
    const size = T * model.metadata.input.channels;
    const batch = new Float32Array(windows.length * size);
    windows.forEach((w, i) => batch.set(w.data, i * size));
    const session = await model.createSession({ backend: 'ref', maxBatch: 64 });
    const y = session.run(batch, windows.length, T);
    const S = y.length / Math.max(1, windows.length);
    return windows.map((_, i) => Array.from(y.subarray(i * S, (i + 1) * S)));
  } finally {
    model.dispose();
  }
}

/** The host's scores per `device/stream`, in order, as its 'scored' events give them. */
export function scoredByStream(host: WavegateHost): Map<string, number[][]> {
  const scored = new Map<string, number[][]>();
  host.on('scored', (s) => {
    const k = `${s.device}/${s.stream}`;
    if (!scored.has(k)) scored.set(k, []);
    scored.get(k)!.push(Array.from(s.scores));
  });
  return scored;
}
