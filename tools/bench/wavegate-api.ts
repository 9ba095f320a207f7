/**
 * The slice of wavegate's public runtime API (src/index.ts) the benchmarks use, in one place:
 * loadModel (full validation) -> Model.createSession -> Session.run / push / dispose.
 */
import { loadModel, type SessionOptions } from '../../src/index.js';

export interface BenchSession {
  run(windows: Float32Array, n: number, T: number): Float32Array;
  push(ids: ArrayLike<number>, chunk: Float32Array): Float32Array;
  dispose(): void;
  readonly backend: string;
}

/** Loads .wgm bytes and opens a session; refuses a session on another kernel build than asked. */
export async function openWavegateSession(bytes: Uint8Array, options: SessionOptions): Promise<BenchSession> {
  const model = await loadModel(bytes);
  const session = await model.createSession(options);
  if (options.backend && options.backend !== 'auto' && session.backend !== options.backend) {
    throw new Error(`wavegate session runs on kernel-${session.backend}, expected kernel-${options.backend}`);
  }
  return session;
}
