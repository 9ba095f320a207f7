/**
 * Per-stream bookkeeping for streaming sessions (tract's SimpleState): the recurrent state
 * itself (h, c) lives in kernel memory, one row per stream slot; this class knows where,
 * resets rows explicitly and counts the steps each stream has consumed since its last reset.
 */
import { WavegateError } from '../errors.js';
import type { PreparedRecurrent } from './prepare.js';

export class StreamStates {
  /** Steps fed to each slot since its last reset. */
  private readonly steps: Float64Array;
  /** Duplicate detection without a Set per call: slot -> call stamp of its last sighting. */
  private readonly seen: Uint32Array;
  private stamp = 0;

  constructor(
    private readonly f32: Float32Array,
    private readonly layers: readonly PreparedRecurrent[],
    readonly streams: number,
  ) {
    this.steps = new Float64Array(streams);
    this.seen = new Uint32Array(streams);
    this.reset();
  }

  /**
   * Checks a list of stream ids: integers in [0, streams), no repeats (one call advances a
   * stream once). Returns them as an Int32Array.
   */
  checkIds(ids: ArrayLike<number>, what: string): Int32Array {
    if (!(Array.isArray(ids) || ids instanceof Int32Array)) throw new WavegateError('E_INPUT', `${what}: stream ids must be an array or Int32Array`);
    const out = new Int32Array(ids.length);
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= this.streams) {
        throw new WavegateError('E_UNKNOWN_STREAM', `${what}: stream id ${String(id)} at index ${i} is not a slot of this session (0..${this.streams - 1})`);
      }
      if (this.seen[id] === this.stamp) throw new WavegateError('E_INPUT', `${what}: stream id ${id} appears twice; each stream advances once per call`);
      this.seen[id] = this.stamp;
      out[i] = id;
    }
    return out;
  }

  /** Zeroes h (and c) of the given slots, or of all slots. */
  reset(ids?: Int32Array): void {
    for (const L of this.layers) {
      const H = L.step.hidden;
      for (const base of [L.streamH, L.streamC]) {
        if (!base) continue;
        const row0 = base >>> 2;
        if (ids === undefined) this.f32.fill(0, row0, row0 + this.streams * H);
        else for (const id of ids) this.f32.fill(0, row0 + id * H, row0 + (id + 1) * H);
      }
    }
    if (ids === undefined) this.steps.fill(0);
    else for (const id of ids) this.steps[id] = 0;
  }

  advance(ids: Int32Array, T: number): void {
    for (const id of ids) this.steps[id] += T;
  }

  /** Steps consumed by a slot since its last reset. */
  stepsOf(id: number): number {
    return this.steps[id];
  }
}
