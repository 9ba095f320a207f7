/**
 * A kernel session: one WebAssembly instance with everything reserved at creation (weights,
 * state for `streams` stream slots, scratch, I/O buffers); memory never grows afterwards.
 *
 * Two modes share the instance:
 * - window mode, `run()`: independent windows [n, T, C], state zeroed per window, tiled by
 *   maxBatch; pooling, head and final activation applied. Bidirectional layers allowed.
 * - streaming, `push()`: chunks for a set of stream slots, state carried in the kernel per slot,
 *   so feeding a sequence in chunks of any size gives the same outputs as feeding it whole.
 */
import { WavegateError } from '../errors.js';
import type { WgmMetadata, WgmModel } from '../model/schema.js';
import type { KernelExports } from './abi.js';
import { instantiateKernel, type KernelBuild } from './backend.js';
import { Executor, type Rows } from './executor.js';
import { checkFinite, checkOptionKeys, checkSideFeatures, copyTimeMajor, requireCount, requireFloat32 } from './input.js';
import { formatMemoryLayout, layoutMemory, type MemoryLayout } from './memory.js';
import { resolveSessionOptions, type ResolvedSessionOptions, type SessionOptions } from './options.js';
import { buildPlan, type Plan } from './plan.js';
import { prepareSession } from './prepare.js';
import { StreamStates } from './stream-state.js';
import { assertKnownOptions } from '../options-check.js';

export interface RunOptions {
  /** Time steps per window. Default: the model's input.window. */
  T?: number;
  /**
   * Side features, Float32Array [n, F] (F = input.features.names.length), one vector per window in
   * window order, as the network takes them (normalised where input.features.normalize says so;
   * the session does not normalise). Required exactly when the model has input.features.
   */
  features?: Float32Array;
}

export interface PushOptions {
  /** `last` (default): one output row per stream, for the chunk's last step. `all`: a row for every step. */
  outputs?: 'last' | 'all';
  /**
   * Side features of a model with input.features: Float32Array [B, F] (B = ids.length, streams
   * in the order of `ids`) or one Float32Array [F] per stream. Each stream's vector joins every
   * output row this call returns (the head is stateless: nothing carries to the next call).
   * Required exactly when the model has input.features.
   */
  features?: Float32Array | readonly Float32Array[];
}

const RUN_OPTIONS = ['T', 'features'] as const;
const PUSH_OPTIONS = ['outputs', 'features'] as const;

export class Session {
  private disposed = false;
  private broken: string | null = null;
  private readonly exec: Executor;
  private readonly states: StreamStates;
  private readonly memoryBytesAtCreation: number;

  private constructor(
    private readonly kernel: KernelExports,
    readonly backend: KernelBuild,
    readonly plan: Plan,
    readonly options: Readonly<ResolvedSessionOptions>,
    readonly layout: MemoryLayout,
    model: WgmModel,
  ) {
    const prep = prepareSession(kernel, model, plan, layout, options);
    this.exec = new Executor(kernel, plan, prep);
    this.states = new StreamStates(this.exec.f32, prep.recurrent, options.streams);
    this.memoryBytesAtCreation = kernel.memory.buffer.byteLength;
  }

  /** Creates a session for a validated model (use Model.createSession). */
  static async create(model: WgmModel, opts: SessionOptions = {}, plan: Plan = buildPlan(model.metadata)): Promise<Session> {
    const resolved = resolveSessionOptions(model.metadata, opts);
    const { build, exports } = await instantiateKernel(resolved.backend, { a8Int8: plan.a8Int8 });
    const layout = layoutMemory(plan, resolved, exports);
    if (layout.totalBytes > resolved.maxMemoryBytes) {
      throw new WavegateError('E_ARGUMENT', `session needs ${layout.totalBytes} bytes of kernel memory, over maxMemoryBytes ${resolved.maxMemoryBytes}; lower maxBatch, maxChunk, maxWindow or streams\n${formatMemoryLayout(layout, resolved)}`);
    }
    return new Session(exports, build, plan, Object.freeze(resolved), layout, model);
  }

  get metadata(): WgmMetadata {
    return this.plan.metadata;
  }

  /** Length of one output row. */
  get outputSize(): number {
    return this.plan.outSize;
  }

  /** Bytes of the kernel's linear memory (constant for the session's life). */
  get kernelMemoryBytes(): number {
    return this.kernel.memory.buffer.byteLength;
  }

  /** The reservations this session made, and a printable summary. */
  memoryReport(): MemoryLayout & { text: string; kernelMemoryBytes: number; reservedBytes: number } {
    const { begin, end } = this.exec.prep;
    return { ...this.layout, text: formatMemoryLayout(this.layout, this.options), kernelMemoryBytes: this.kernelMemoryBytes, reservedBytes: end - begin };
  }

  /**
   * Scores independent windows laid out [n, T, C]. Returns [n, outputSize]. Each window starts
   * from zero state; stream state is untouched. The third argument is the window length T
   * (default the model's input.window) or options `{ T, features }`; a model with side features
   * (input.features) needs `features` [n, F].
   */
  run(windows: Float32Array, n: number, opts?: number | RunOptions): Float32Array {
    this.usable();
    const C = this.plan.channels;
    const { T: givenT, features } = this.runOptions(opts);
    const T = givenT ?? this.plan.metadata.input.window;
    requireFloat32(windows, 'run(windows)');
    requireCount(n, 'run(n)', 0, Number.MAX_SAFE_INTEGER);
    if (T === undefined) throw new WavegateError('E_INPUT', 'run(): the model has no input.window; pass the window length T explicitly');
    requireCount(T, 'run(T)', 1, this.options.maxWindow);
    if (windows.length !== n * T * C) {
      throw new WavegateError('E_INPUT', `run(): windows has ${windows.length} samples, expected n * T * C = ${n} * ${T} * ${C} = ${n * T * C}`);
    }
    for (let i = 0; i < n; i++) checkFinite(windows, i * T * C, T, C, `run(): window ${i}`);
    const side = checkSideFeatures(features, this.sideSpec(), n, 'run()', 'window', (i) => `window ${i}`);
    const F = this.plan.features;
    const out = new Float32Array(n * this.plan.outSize);
    const { maxBatch } = this.options;
    const x = this.exec.f32;
    const inputBase = this.exec.prep.input >>> 2;
    for (let first = 0; first < n; first += maxBatch) {
      const B = Math.min(maxBatch, n - first);
      copyTimeMajor(x, inputBase, B, T, C, 0, (b) => ({ data: windows, offset: (first + b) * T * C }));
      const rows = this.guard(() => {
        const seq = this.exec.sequence(T, B, false);
        const pooled = this.exec.pool(seq, T, B);
        if (side) this.exec.features(pooled, B, (b) => ({ data: side, offset: (first + b) * F }));
        return this.exec.head(pooled, B);
      });
      this.exec.readRows(rows, B, out, first * this.plan.outSize, this.plan.outSize);
    }
    return out;
  }

  /**
   * Advances streams `ids` by a chunk: either one Float32Array [B, T, C] (B = ids.length) or one
   * Float32Array [T, C] per stream (all the same length). Returns [B, outputSize] for the last
   * step (default) or [B, T, outputSize] with `{ outputs: 'all' }`, streams in the order of `ids`.
   */
  push(ids: ArrayLike<number>, chunk: Float32Array | readonly Float32Array[], opts: PushOptions = {}): Float32Array {
    this.usable();
    if (this.plan.notStreamable) throw new WavegateError('E_MODEL_UNSUPPORTED', `push(): ${this.plan.notStreamable}`);
    if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
      throw new WavegateError('E_ARGUMENT', `push(): options must be an object { outputs, features }, got ${opts === null ? 'null' : Array.isArray(opts) ? 'an Array' : typeof opts}`);
    }
    checkOptionKeys(opts, PUSH_OPTIONS, 'push()');
    const slots = this.states.checkIds(ids, 'push()');
    const all = (opts.outputs ?? 'last') === 'all';
    if (opts.outputs !== undefined && opts.outputs !== 'last' && opts.outputs !== 'all') {
      throw new WavegateError('E_ARGUMENT', `push(): outputs must be "last" or "all", got ${String(opts.outputs)}`);
    }
    const { B, T, seq } = this.chunkShape(slots, chunk);
    const side = checkSideFeatures(this.streamFeatures(opts.features, slots), this.sideSpec(), B, 'push()', 'stream', (b) => `stream ${slots[b]}`);
    const F = this.plan.features;
    const S = this.plan.outSize;
    const out = new Float32Array(B * (all ? T : 1) * S);
    if (T === 0) return out;
    for (let b = 0; b < B; b++) {
      const { data, offset } = seq(b);
      checkFinite(data, offset, T, this.plan.channels, `push(): stream ${slots[b]}`);
    }
    const { maxBatch, maxChunk } = this.options;
    const f32 = this.exec.f32;
    const i32 = this.exec.i32;
    const prep = this.exec.prep;
    for (let first = 0; first < B; first += maxBatch) {
      const nb = Math.min(maxBatch, B - first);
      i32.set(slots.subarray(first, first + nb), prep.slots >>> 2);
      for (let t0 = 0; t0 < T; t0 += maxChunk) {
        const nt = Math.min(maxChunk, T - t0);
        copyTimeMajor(f32, prep.input >>> 2, nb, nt, this.plan.channels, t0, (b) => seq(first + b));
        const lastTile = t0 + nt === T;
        const rows = this.guard(() => {
          const y = this.exec.sequence(nt, nb, true);
          if (!all && !lastTile) return null; // state advanced; only the final step's output is wanted
          // `all`: every step's rows, time-major [nt, nb]; `last`: the final step's nb rows.
          let r: Rows = all ? y : { ptr: y.ptr + 4 * (nt - 1) * nb * y.stride, stride: y.stride };
          const count = all ? nt * nb : nb;
          if (side) {
            r = this.exec.stage(r, count);
            this.exec.features(r, count, (k) => ({ data: side, offset: (first + (k % nb)) * F }));
          }
          return this.exec.head(r, count);
        });
        if (rows && all) {
          // Head rows are time-major [nt, nb]; the result is [B, T] per stream.
          for (let t = 0; t < nt; t++) {
            const r: Rows = { ptr: rows.ptr + 4 * t * nb * rows.stride, stride: rows.stride };
            this.exec.readRows(r, nb, out, ((first * T) + t0 + t) * S, T * S);
          }
        } else if (rows) {
          this.exec.readRows(rows, nb, out, first * S, S);
        }
      }
    }
    this.states.advance(slots, T);
    return out;
  }

  /** Zeroes the state of the given stream slots (all when omitted). */
  reset(ids?: ArrayLike<number>): void {
    this.usable();
    this.states.reset(ids === undefined ? undefined : this.states.checkIds(ids, 'reset()'));
  }

  /** Steps a stream slot has consumed since its last reset. */
  streamSteps(id: number): number {
    this.usable();
    return this.states.stepsOf(this.states.checkIds([id], 'streamSteps()')[0]);
  }

  /** Releases the instance; any later call throws E_STATE. */
  dispose(): void {
    this.disposed = true;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private sideSpec() {
    return { count: this.plan.features, names: this.plan.metadata.input.features?.names ?? [] };
  }

  /** run()'s third argument: a window length, or options { T, features }. */
  private runOptions(opts: number | RunOptions | undefined): RunOptions {
    if (opts === undefined || typeof opts === 'number') return { T: opts };
    if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
      throw new WavegateError('E_ARGUMENT', `run(): the third argument is the window length T or options { T, features }, got ${opts === null ? 'null' : Array.isArray(opts) ? 'an Array' : typeof opts}`);
    }
    checkOptionKeys(opts, RUN_OPTIONS, 'run()');
    return opts;
  }

  /** push()'s features as one [B, F] array (per-stream arrays are joined after their lengths are checked). */
  private streamFeatures(features: PushOptions['features'], slots: Int32Array): unknown {
    const B = slots.length;
    const F = this.plan.features;
    if (!Array.isArray(features) || F === 0) return features;
    if (features.length !== B) throw new WavegateError('E_INPUT', `push(): ${features.length} per-stream feature vectors for ${B} stream ids`);
    const joined = new Float32Array(B * F);
    features.forEach((v, b) => {
      requireFloat32(v, `push(): features of stream ${slots[b]}`);
      if (v.length !== F) throw new WavegateError('E_INPUT', `push(): features of stream ${slots[b]} has ${v.length} values, expected ${F} (input.features: ${this.sideSpec().names.join(', ')})`);
      joined.set(v, b * F);
    });
    return joined;
  }

  private usable(): void {
    if (this.disposed) throw new WavegateError('E_STATE', 'session is disposed');
    if (this.broken) throw new WavegateError('E_STATE', `session is unusable after a kernel failure: ${this.broken}`);
  }

  /** Runs kernel calls; a trap or a bad status marks the session broken (its state is undefined). */
  private guard<T>(fn: () => T): T {
    try {
      const r = fn();
      if (this.kernel.memory.buffer.byteLength !== this.memoryBytesAtCreation) {
        throw new WavegateError('E_KERNEL', 'kernel memory grew during compute (ABI violation)');
      }
      return r;
    } catch (e) {
      const msg = (e as Error).message;
      this.broken = msg;
      if (e instanceof WavegateError) throw e;
      throw new WavegateError('E_KERNEL', `kernel trapped: ${msg}; this is a wavegate bug, please report it`, { cause: e });
    }
  }

  private chunkShape(slots: Int32Array, chunk: Float32Array | readonly Float32Array[]) {
    const B = slots.length;
    const C = this.plan.channels;
    if (Array.isArray(chunk)) {
      if (chunk.length !== B) throw new WavegateError('E_INPUT', `push(): ${chunk.length} per-stream arrays for ${B} stream ids`);
      let T = -1;
      chunk.forEach((a, b) => {
        requireFloat32(a, `push(): stream ${slots[b]} chunk`);
        if (a.length % C !== 0) throw new WavegateError('E_INPUT', `push(): stream ${slots[b]} chunk has ${a.length} samples, not a multiple of ${C} channels`);
        if (T >= 0 && a.length / C !== T) throw new WavegateError('E_INPUT', `push(): stream ${slots[b]} chunk has ${a.length / C} steps, stream ${slots[0]} has ${T}; all streams of a call advance by the same number of steps`);
        T = a.length / C;
      });
      return { B, T: Math.max(T, 0), seq: (b: number) => ({ data: chunk[b], offset: 0 }) };
    }
    const data = requireFloat32(chunk, 'push(chunk)');
    if (B === 0) {
      if (data.length !== 0) throw new WavegateError('E_INPUT', `push(): ${data.length} samples for zero streams`);
      return { B, T: 0, seq: () => ({ data, offset: 0 }) };
    }
    if (data.length % (B * C) !== 0) {
      throw new WavegateError('E_INPUT', `push(): chunk has ${data.length} samples, not a multiple of streams * channels = ${B} * ${C}`);
    }
    const T = data.length / (B * C);
    return { B, T, seq: (b: number) => ({ data, offset: b * T * C }) };
  }
}
