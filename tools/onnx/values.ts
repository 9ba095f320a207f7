/**
 * The abstract values the importer propagates through an ONNX graph.
 *
 * The importer does not execute the graph; it interprets it symbolically, node by node:
 *   - `const`: a tensor known at import time (initializers, Constant, folded shape arithmetic);
 *   - `fill`:  a tensor whose every element is one known value but whose shape depends on the
 *              input (PyTorch's zero initial states: ConstantOfShape(Shape(x)...));
 *   - `act`:   data that flows from the graph input, with a tag per axis (batch, time, features,
 *              direction) and the wavegate layers that produced it so far;
 *   - `side`:  the optional second graph input, side features [batch, F] (side-features.ts).
 *
 * Symbolic input dimensions (batch, sequence length) are given distinct sentinel sizes, so the
 * shape arithmetic PyTorch emits (Shape -> Gather -> Concat -> Reshape) folds with ordinary
 * integer math and Slice bounds such as [-1, INT64_MAX) still resolve to "the last step".
 */
import type { LayerSpec, Pooling, Tensor } from '../../src/model/schema.js';
import type { ConstTensor } from './proto.js';

/** Sentinel sizes for symbolic input dims: large, distinct primes no real model dimension equals. */
export const SYMBOLIC_DIMS = [1_000_003, 1_000_033, 1_000_037, 1_000_039] as const;
export const isSymbolic = (d: number): boolean => (SYMBOLIC_DIMS as readonly number[]).includes(d);

export interface ConstValue extends ConstTensor {
  kind: 'const';
}

export interface FillValue {
  kind: 'fill';
  /** Element type of the would-be tensor. */
  elemType: number;
  dims: number[];
  value: number;
}

/**
 * Axis tags of activation data. `x0..x2`: axes of the graph input before the first recurrent
 * layer says which is time/batch/features; `U`: a size-1 axis (keepdims, Unsqueeze, pooled time).
 */
export type AxisTag = 'B' | 'T' | 'F' | 'D' | 'U' | 'x0' | 'x1' | 'x2';

/**
 * One direction of one recurrent layer at one end of the sequence: the unit a Y_h slice or a
 * selected feature block refers to. Y_h is {forward at `last`, backward at `first`}; `y[:, -1]`
 * is every direction at `last`.
 */
export interface RnnPart {
  layer: number;
  dir: number;
  t: 'last' | 'first';
  /** Where the block came from: Y_h or a time-step selection of Y (decides 'final_state' vs 'last' when both fit). */
  src: 'Y_h' | 'Y';
}

/** The model built so far along one path of the graph (immutable; extended by copying). */
export interface Pipe {
  layers: readonly LayerSpec[];
  tensors: ReadonlyMap<string, Tensor>;
  /** Index of the graph input axis that is time / batch (set by the first recurrent layer). */
  inputTimeAxis?: number;
  inputBatchAxis?: number;
  rnnCount: number;
  denseCount: number;
  lnCount: number;
  /** Index in `layers` of the last recurrent layer. */
  lastRnn?: number;
  pooling?: Pooling;
  /** Softmax/Sigmoid applied at the end; nothing may follow it. */
  outputActivation?: 'softmax' | 'sigmoid';
  /**
   * Side features joined by Concat (side-features.ts): the graph input's name, the count, whether
   * the graph put them before the pooled output, and `pending` until the first dense layer takes them.
   */
  side?: { input: string; count: number; first: boolean; pending: boolean };
}

/**
 * What the activation is, along the path:
 *   input   graph input, no layer yet
 *   rnnY    raw ONNX Y [T, D, B, H] of the last recurrent layer
 *   seq     per-step features [T, B, F] (any axis order) from the recurrent stack (layer norms included)
 *   yh      recurrent states picked at one end of the sequence: ONNX Y_h [D, B, H] (`dparts` lists
 *           what each D index is) or time-step selections of Y, whose feature axis is `fparts`
 *   feat    per-row features after pooling (or per step when `perStep`), ready for a head
 *   lnMean / lnCentered / lnSq / lnVar / lnStd: partial decomposed LayerNorm of `lnSource`
 */
export type Stage =
  | { type: 'input' }
  | { type: 'rnnY'; directions: number }
  | { type: 'seq'; open?: 'ln-gamma' | 'ln-beta' }
  | { type: 'yh'; dparts: RnnPart[] | null; fparts: RnnPart[] | null }
  | { type: 'feat'; perStep: boolean; open?: 'dense-bias' | 'ln-gamma' | 'ln-beta' }
  | { type: 'lnMean' | 'lnCentered' | 'lnSq' | 'lnVar' | 'lnStd'; source: ActValue; epsilon?: number; origin?: ActValue };

export interface ActValue {
  kind: 'act';
  dims: number[];
  axes: AxisTag[];
  stage: Stage;
  pipe: Pipe;
}

/** The second graph input: per-window side features [batch, count] (side-features.ts). */
export interface SideValue {
  kind: 'side';
  name: string;
  /** [batch (a sentinel when symbolic), count]. */
  dims: number[];
  count: number;
}

export type Value = ConstValue | FillValue | ActValue | SideValue;

export function constValue(t: ConstTensor): ConstValue {
  return { kind: 'const', elemType: t.elemType, dims: [...t.dims], data: t.data };
}

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Normalises a possibly negative axis for a tensor of `rank`; undefined when out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

/** Extends a pipe with a layer and its tensors (copies; the original pipe stays valid for other paths). */
export function pipeWith(pipe: Pipe, layer: LayerSpec | null, tensors: Record<string, Tensor>, patch: Partial<Pipe> = {}): Pipe {
  const t = new Map(pipe.tensors);
  for (const [k, v] of Object.entries(tensors)) t.set(k, v);
  return { ...pipe, ...patch, layers: layer ? [...pipe.layers, layer] : pipe.layers, tensors: t };
}
