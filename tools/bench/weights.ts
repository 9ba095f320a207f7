/**
 * Seeded random RNN weights and inputs for the benchmarks.
 *
 * Every runtime in a benchmark run must see the same model and the same input, so all of them
 * are derived from (cell, I, H, seed) by a small deterministic PRNG instead of Math.random.
 * Weights follow PyTorch's default RNN init, U(-1/sqrt(H), 1/sqrt(H)), so gate activations sit in
 * the same ranges a trained model produces (no saturated sigmoids that would flatter a kernel).
 *
 * Layouts are ONNX's (gate order LSTM i,o,f,c; GRU z,r,h), one direction:
 *   W [G*H, I], R [G*H, H], B [2*G*H] = Wb ++ Rb, with G = 4 (LSTM) or 3 (GRU).
 */
import { Rng } from '../synth/rng.js';

export type Cell = 'lstm' | 'gru';

/** Gates per cell: LSTM i,o,f,c; GRU z,r,h. */
export function gateCount(cell: Cell): number {
  return cell === 'lstm' ? 4 : 3;
}

/** Multiply-accumulates of one time step of one stream: G*H*(I+H) (4H(I+H) for LSTM, 3H(I+H) for GRU). */
export function macsPerStep(cell: Cell, inputSize: number, hiddenSize: number): number {
  return gateCount(cell) * hiddenSize * (inputSize + hiddenSize);
}

/** Uniform [0, 1) from the project's seeded generator (tools/synth/rng.ts), identical on every platform. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

/** Fills a new Float32Array of `n` values uniform in [-bound, bound). */
export function uniformArray(n: number, bound: number, random: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * bound;
  return out;
}

export interface RnnWeights {
  cell: Cell;
  inputSize: number;
  hiddenSize: number;
  /** [G*H, I] row-major. */
  W: Float32Array;
  /** [G*H, H] row-major. */
  R: Float32Array;
  /** [2*G*H]: Wb then Rb. */
  B: Float32Array;
}

/** Deterministic weights of one unidirectional layer. */
export function makeRnnWeights(cell: Cell, inputSize: number, hiddenSize: number, seed: number): RnnWeights {
  const random = seededRandom(seed);
  const rows = gateCount(cell) * hiddenSize;
  const bound = 1 / Math.sqrt(hiddenSize);
  return {
    cell,
    inputSize,
    hiddenSize,
    W: uniformArray(rows * inputSize, bound, random),
    R: uniformArray(rows * hiddenSize, bound, random),
    B: uniformArray(2 * rows, bound, random),
  };
}

/** Input sequence, time-major [T, batch, I], uniform in [-1, 1) (a normalised sensor signal). */
export function makeInput(steps: number, batch: number, inputSize: number, seed: number): Float32Array {
  return uniformArray(steps * batch * inputSize, 1, seededRandom(seed ^ 0x5eed));
}
