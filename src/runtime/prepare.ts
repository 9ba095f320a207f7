/**
 * Prepare once, evaluate cheaply (TFLite Micro's Prepare/Eval split): reserves every block a
 * session needs in kernel memory, in one pass, then writes and packs the weights. After this,
 * nothing is reserved again, so kernel memory never grows.
 */
import { WavegateError } from '../errors.js';
import type { Tensor, WgmModel } from '../model/schema.js';
import { tensorName } from '../model/tensors.js';
import { recurrentBiases, recurrentScales } from '../model/recurrent-params.js';
import { f16ArrayToF32 } from '../model/f16.js';
import { STATUS_NAMES, STATUS_OK, type KernelExports } from './abi.js';
import { alignUp, recurrentSteps, type MemoryLayout } from './memory.js';
import type { DenseStep, NormStep, Plan, RecurrentStep } from './plan.js';
import type { ResolvedSessionOptions } from './options.js';

/** Pointers for one direction of a recurrent layer. */
export interface DirectionPtrs {
  W: number;
  R: number;
  /** LSTM: B (Wb + Rb, [4H]). GRU: Wb ([3H]); Rb follows at bias + 12H bytes. */
  bias: number;
  Ws: number;
  Rs: number;
  /** LSTM peepholes P [3H] (i, o, f), or 0 without. */
  P: number;
  /** Window-mode state [maxBatch, H] (h, and c for LSTM; c = 0 for GRU). */
  winH: number;
  winC: number;
}

export interface PreparedRecurrent {
  step: RecurrentStep;
  dirs: DirectionPtrs[];
  /** Stream state [streams, H] (0 when the model cannot stream). */
  streamH: number;
  streamC: number;
}

export interface PreparedParams {
  /** dense: W [out, in] (f32, or i8 for an int8 layer), b [out]; layernorm: gamma, beta. */
  a: number;
  b: number;
  /** int8 dense: per-row scales f32 [out] (0 otherwise). */
  s: number;
}

export interface Prepared {
  recurrent: PreparedRecurrent[];
  /** Dense/layernorm parameters by layer name. */
  params: Map<string, PreparedParams>;
  scratch: number;
  input: number;
  /** Sequence ping-pong buffers (seqB = seqA when there is one recurrent layer). */
  seqA: number;
  seqB: number;
  headA: number;
  headB: number;
  slots: number;
  /** First and one-past-last byte the session reserved. */
  begin: number;
  end: number;
}

/** Throws E_KERNEL for a non-zero kernel status (a host bug: arguments are validated first). */
export function checkStatus(status: number, what: string): void {
  if (status !== STATUS_OK) {
    throw new WavegateError('E_KERNEL', `kernel ${what} returned status ${status} (${STATUS_NAMES[status] ?? 'unknown'}); this is a wavegate bug, please report it`);
  }
}

/** Reserves all blocks of `layout`, then writes the weights. */
export function prepareSession(k: KernelExports, model: WgmModel, plan: Plan, layout: MemoryLayout, opts: ResolvedSessionOptions): Prepared {
  let begin = -1;
  let end = 0;
  const reserve = (bytes: number, what: string): number => {
    const p = k.reserve(alignUp(Math.max(bytes, 0))) >>> 0;
    if (p === 0) throw new WavegateError('E_KERNEL', `kernel could not reserve ${bytes} bytes for ${what} (out of WebAssembly memory)`);
    if (begin < 0) begin = p;
    end = p + alignUp(bytes);
    return p;
  };

  // 1. Reserve everything (memory may grow here, and only here).
  const rec = recurrentSteps(plan);
  const recurrent: PreparedRecurrent[] = rec.map((step, i) => {
    const isLstm = step.cell === 'lstm';
    const dirs = layout.recurrent[i].map((w, d) => ({
      W: reserve(w.W, `${step.layer.name}.W[${d}]`),
      R: reserve(w.R, `${step.layer.name}.R[${d}]`),
      bias: reserve(w.bias, `${step.layer.name}.B[${d}]`),
      Ws: step.int8 ? reserve(4 * step.rows, `${step.layer.name}.W.scale[${d}]`) : 0,
      Rs: step.int8 ? reserve(4 * step.rows, `${step.layer.name}.R.scale[${d}]`) : 0,
      P: step.peepholes ? reserve(w.peepholes, `${step.layer.name}.P[${d}]`) : 0,
      winH: reserve(4 * opts.maxBatch * step.hidden, 'window state h'),
      winC: isLstm ? reserve(4 * opts.maxBatch * step.hidden, 'window state c') : 0,
    }));
    const streamable = !plan.notStreamable;
    return {
      step,
      dirs,
      streamH: streamable ? reserve(4 * opts.streams * step.hidden, 'stream state h') : 0,
      streamC: streamable && isLstm ? reserve(4 * opts.streams * step.hidden, 'stream state c') : 0,
    };
  });
  const params = new Map<string, PreparedParams>();
  for (const s of [...plan.sequence, ...plan.head]) {
    if (s.kind === 'dense') {
      const int8 = s.int8;
      params.set(s.name, {
        a: reserve((int8 ? 1 : 4) * s.outF * s.inF, `${s.name}.W`),
        b: reserve(4 * s.outF, `${s.name}.b`),
        s: int8 ? reserve(4 * s.outF, `${s.name}.W.scale`) : 0,
      });
    }
    if (s.kind === 'layernorm') params.set(s.name, { a: reserve(4 * s.size, `${s.name}.gamma`), b: reserve(4 * s.size, `${s.name}.beta`), s: 0 });
  }
  const scratch = reserve(layout.scratchBytes, 'scratch');
  const input = reserve(layout.inputBytes, 'input buffer');
  const oneSeq = 4 * layout.seqSteps * opts.maxBatch * plan.maxSequenceWidth;
  const seqA = reserve(layout.sequenceBytes - (rec.length > 1 ? alignUp(oneSeq) : 0), 'sequence buffer A / staging');
  const seqB = rec.length > 1 ? reserve(oneSeq, 'sequence buffer B') : seqA;
  const headA = reserve(layout.headBytes / 2, 'head buffer A');
  const headB = reserve(layout.headBytes / 2, 'head buffer B');
  const slots = reserve(layout.slotsBytes, 'stream slots');

  // 2. Write weights (views are taken after the last reserve: growth detaches old buffers).
  const u8 = new Uint8Array(k.memory.buffer);
  const f32 = new Float32Array(k.memory.buffer);
  const bytesOf = (t: Tensor['data'], from: number, count: number) =>
    new Uint8Array(t.buffer, t.byteOffset + from * t.BYTES_PER_ELEMENT, count * t.BYTES_PER_ELEMENT);
  const get = (name: string): Tensor => {
    const t = model.tensors.get(name);
    if (!t) throw new WavegateError('E_MODEL_FORMAT', `model tensor "${name}" is missing`);
    return t;
  };
  recurrent.forEach(({ step, dirs }) => {
    const name = step.layer.name;
    const [W, R] = [get(tensorName.W(name)), get(tensorName.R(name))];
    dirs.forEach((p, d) => {
      const pack = (t: Tensor, cols: number, dst: number, label: string) => {
        const n = step.rows * cols;
        u8.set(bytesOf(t.data, d * n, n), seqA);
        checkStatus(step.int8 ? k.packWeightsS8(seqA, step.rows, cols, dst) : k.packWeightsF32(seqA, step.rows, cols, dst), `packWeights (${label})`);
      };
      pack(W, step.inputSize, p.W, `${name}.W`);
      pack(R, step.hidden, p.R, `${name}.R`);
      // Biases and scales in the kernel ABI's terms, whatever the file version (recurrent-params.ts).
      const { wb, rb } = recurrentBiases(model, step.layer, d);
      if (step.cell === 'lstm') {
        // The kernel takes one bias per gate row; fold Wb + Rb here, in f32 as ONNX Runtime does
        // (a version-2 file has pre-summed them: rb is 0 and the sum is exact).
        for (let r = 0; r < step.rows; r++) f32[p.bias / 4 + r] = wb[r] + rb[r];
      } else {
        f32.set(wb, p.bias / 4);
        f32.set(rb, p.bias / 4 + step.rows);
      }
      if (p.P) {
        const H3 = 3 * step.hidden;
        f32.set((get(tensorName.P(name)).data as Float32Array).subarray(d * H3, (d + 1) * H3), p.P / 4);
      }
      if (step.int8) {
        const { Ws, Rs } = recurrentScales(model, step.layer, d);
        f32.set(Ws, p.Ws / 4);
        f32.set(Rs, p.Rs / 4);
      }
    });
  });
  for (const s of [...plan.sequence, ...plan.head] as (RecurrentStep | NormStep | DenseStep)[]) {
    const p = params.get((s as NormStep | DenseStep).name);
    if (!p) continue;
    const [a, b] = s.kind === 'dense' ? [tensorName.denseW(s.name), tensorName.denseB(s.name)] : [tensorName.gamma((s as NormStep).name), tensorName.beta((s as NormStep).name)];
    if (s.kind === 'dense' && s.int8) {
      // denseS8 takes the plain i8 matrix and f32 scales (F16 in the file, widened exactly).
      const W = get(a).data as Int8Array;
      u8.set(new Uint8Array(W.buffer, W.byteOffset, W.length), p.a);
      f32.set(f16ArrayToF32(get(tensorName.Wscale(s.name)).data as Uint16Array), p.s / 4);
    } else f32.set(get(a).data as Float32Array, p.a / 4);
    f32.set(get(b).data as Float32Array, p.b / 4);
  }
  // Staging held raw weights: clear it so nothing stale can be mistaken for activations.
  u8.fill(0, seqA, seqA + layout.sequenceBytes - (rec.length > 1 ? alignUp(oneSeq) : 0));
  return { recurrent, params, scratch, input, seqA, seqB, headA, headB, slots, begin, end };
}
