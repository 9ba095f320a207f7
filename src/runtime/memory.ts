/**
 * What a session reserves in kernel memory, computed before reserving anything (CMSIS-NN's
 * "the caller owns memory; the library tells it how much"). The same function backs
 * `session.memoryReport()` and `wavegate inspect`, so the report is the allocation.
 */
import { WavegateError } from '../errors.js';
import { KERNEL_ALIGN, OP_DENSE_S8 } from './abi.js';
import type { Plan, RecurrentStep } from './plan.js';
import type { ResolvedSessionOptions } from './options.js';

/** The kernel's sizing exports (packed layouts are private to each build). */
export interface KernelSizer {
  packedBytesF32(rows: number, cols: number): number;
  packedBytesS8(rows: number, cols: number): number;
  scratchBytes(op: number, inputSize: number, hiddenSize: number, batch: number): number;
}

/** Sizes in bytes of one recurrent direction's weight blocks. */
export interface RecurrentWeightBytes {
  W: number;
  R: number;
  /** LSTM: B = Wb + Rb [4H]; GRU: Wb ++ Rb [6H]. */
  bias: number;
  /** int8 only: Ws [rows] + Rs [rows]. */
  scales: number;
  /** LSTM with peepholes: P [3H] f32 (else 0). */
  peepholes: number;
}

export interface MemoryLayout {
  /** Steps the sequence buffers hold: max(maxChunk, maxWindow). */
  seqSteps: number;
  /** Per recurrent step (plan.sequence order, recurrent only) and direction. */
  recurrent: RecurrentWeightBytes[][];
  /** Dense and layer-norm parameter bytes, by layer name. */
  headParams: Map<string, number>;
  /** Bytes of weights as packed by this kernel build, biases and scales included. */
  weightBytes: number;
  /** Recurrent state (h, and c for LSTM) per stream slot. */
  stateBytesPerStream: number;
  /** State for `streams` slots (0 when the model cannot stream). */
  streamStateBytes: number;
  /** State rows for window mode: maxBatch windows at a time. */
  windowStateBytes: number;
  /** One shared scratch: the largest any recurrent call needs at maxBatch. */
  scratchBytes: number;
  /** x: [seqSteps, maxBatch, channels] f32. */
  inputBytes: number;
  /** Two ping-pong sequence buffers [seqSteps, maxBatch, maxSequenceWidth] (one when one recurrent layer); the first doubles as staging when packing weights. */
  sequenceBytes: number;
  /** Two head buffers [max(maxBatch, maxChunk*maxBatch) rows, maxHeadWidth]. */
  headBytes: number;
  /** Stream-slot index array i32[maxBatch]. */
  slotsBytes: number;
  /** Sum of the above, each rounded up to the kernel's 16-byte alignment. */
  totalBytes: number;
}

const f32 = (n: number) => 4 * n;
export const alignUp = (n: number) => Math.ceil(n / KERNEL_ALIGN) * KERNEL_ALIGN;

/** Largest raw (unpacked) weight matrix that is staged in kernel memory before packing. */
function largestRawWeight(plan: Plan): number {
  let m = 0;
  for (const s of plan.sequence) {
    if (s.kind !== 'recurrent') continue;
    const el = s.int8 ? 1 : 4;
    m = Math.max(m, s.rows * s.inputSize * el, s.rows * s.hidden * el);
  }
  return m;
}

export function recurrentSteps(plan: Plan): RecurrentStep[] {
  return plan.sequence.filter((s): s is RecurrentStep => s.kind === 'recurrent');
}

/** Computes every reservation a session makes. */
export function layoutMemory(plan: Plan, opts: ResolvedSessionOptions, kernel: KernelSizer): MemoryLayout {
  const { maxBatch, maxChunk, maxWindow, streams } = opts;
  // The kernel answers in i32: a negative or absurd size means overflow there; never trust it blindly.
  const sane = (n: number, what: string, atLeast: number) => {
    if (n === -1) throw new WavegateError('E_ARGUMENT', `${what} is too large for the kernel (2 GiB per block, 2^20 per dimension); lower maxBatch or use a smaller model`);
    if (!Number.isInteger(n) || n < atLeast) throw new WavegateError('E_KERNEL', `kernel reported ${n} bytes for ${what} (expected an integer >= ${atLeast})`);
    return n;
  };
  const k: KernelSizer = {
    packedBytesF32: (r, c) => sane(kernel.packedBytesF32(r, c), `packed f32 [${r}, ${c}]`, 4 * r * c),
    packedBytesS8: (r, c) => sane(kernel.packedBytesS8(r, c), `packed i8 [${r}, ${c}]`, r * c),
    scratchBytes: (op, i, h, b) => sane(kernel.scratchBytes(op, i, h, b), `scratch of op ${op}`, 0),
  };
  const seqSteps = Math.max(maxChunk, maxWindow);
  const rec = recurrentSteps(plan);
  let weightBytes = 0;
  let stateRow = 0;
  let windowState = 0;
  let scratch = 0;
  const recurrent = rec.map((s) => {
    const perDir: RecurrentWeightBytes[] = [];
    for (let d = 0; d < s.dirs; d++) {
      const w: RecurrentWeightBytes = {
        W: s.int8 ? k.packedBytesS8(s.rows, s.inputSize) : k.packedBytesF32(s.rows, s.inputSize),
        R: s.int8 ? k.packedBytesS8(s.rows, s.hidden) : k.packedBytesF32(s.rows, s.hidden),
        bias: f32(s.cell === 'lstm' ? s.rows : 2 * s.rows),
        scales: s.int8 ? 2 * f32(s.rows) : 0,
        peepholes: s.peepholes ? f32(3 * s.hidden) : 0,
      };
      weightBytes += alignUp(w.W) + alignUp(w.R) + alignUp(w.bias) + (s.int8 ? 2 * alignUp(f32(s.rows)) : 0) + alignUp(w.peepholes);
      perDir.push(w);
    }
    const stateArrays = s.cell === 'lstm' ? 2 : 1;
    stateRow += stateArrays * f32(s.hidden);
    windowState += s.dirs * stateArrays * alignUp(f32(maxBatch * s.hidden));
    scratch = Math.max(scratch, k.scratchBytes(s.op, s.inputSize, s.hidden, maxBatch));
    return perDir;
  });
  const headParams = new Map<string, number>();
  for (const h of [...plan.sequence, ...plan.head]) {
    // INT8 dense: i8 weights (plain), f32 scales and bias; its scratch holds one row's codes.
    if (h.kind === 'dense' && h.int8) {
      headParams.set(h.name, alignUp(h.outF * h.inF) + 2 * alignUp(f32(h.outF)));
      scratch = Math.max(scratch, k.scratchBytes(OP_DENSE_S8, h.inF, h.outF, maxBatch));
    } else if (h.kind === 'dense') headParams.set(h.name, alignUp(f32(h.outF * h.inF)) + alignUp(f32(h.outF)));
    if (h.kind === 'layernorm') headParams.set(h.name, 2 * alignUp(f32(h.size)));
  }
  for (const b of headParams.values()) weightBytes += b;

  const streamStateBytes = plan.notStreamable
    ? 0
    : rec.reduce((n, s) => n + (s.cell === 'lstm' ? 2 : 1) * alignUp(f32(streams * s.hidden)), 0);
  const inputBytes = alignUp(f32(seqSteps * maxBatch * plan.channels));
  const oneSeq = alignUp(f32(seqSteps * maxBatch * plan.maxSequenceWidth));
  const sequenceBytes = (rec.length > 1 ? oneSeq : 0) + alignUp(Math.max(oneSeq, largestRawWeight(plan)));
  const headRows = plan.notStreamable ? maxBatch : Math.max(maxBatch, maxChunk * maxBatch);
  const headBytes = 2 * alignUp(f32(headRows * plan.maxHeadWidth));
  const slotsBytes = alignUp(4 * maxBatch);
  const scratchBytes = alignUp(Math.max(scratch, 16)); // never a zero-size block: the pointer must be valid
  const totalBytes = weightBytes + streamStateBytes + windowState + scratchBytes + inputBytes + sequenceBytes + headBytes + slotsBytes;
  return {
    seqSteps,
    recurrent,
    headParams,
    weightBytes,
    stateBytesPerStream: stateRow,
    streamStateBytes,
    windowStateBytes: windowState,
    scratchBytes,
    inputBytes,
    sequenceBytes,
    headBytes,
    slotsBytes,
    totalBytes,
  };
}

/** Human-readable summary for `wavegate inspect` and logs. */
export function formatMemoryLayout(m: MemoryLayout, opts: ResolvedSessionOptions): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  return [
    `kernel memory for maxBatch=${opts.maxBatch}, maxChunk=${opts.maxChunk}, maxWindow=${opts.maxWindow}, streams=${opts.streams}:`,
    `  weights (packed)      ${kb(m.weightBytes)}`,
    `  stream state          ${kb(m.streamStateBytes)}  (${m.stateBytesPerStream} B per stream)`,
    `  window state          ${kb(m.windowStateBytes)}`,
    `  scratch               ${kb(m.scratchBytes)}`,
    `  input buffer          ${kb(m.inputBytes)}`,
    `  sequence buffers      ${kb(m.sequenceBytes)}  (${m.seqSteps} steps)`,
    `  head buffers          ${kb(m.headBytes)}`,
    `  total reserved        ${kb(m.totalBytes)}`,
  ].join('\n');
}
