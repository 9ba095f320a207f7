/**
 * All live streams of a host, keyed "<device>/<stream>", with the caps that keep memory bounded
 * (maxDevices, maxStreamsPerDevice) and idle eviction: a stream silent for idleTimeoutMs is
 * closed (its open episodes end) and its kernel state slot goes back to its model.
 */
import type { EpisodeEvent } from '../detect/episodes.js';
import { RejectError } from './errors.js';
import type { ServedModel } from './models.js';
import { sameDetector, sameInput } from './model-update.js';
import { StreamState } from './streams.js';

export interface StreamLimits {
  maxDevices: number;
  maxStreamsPerDevice: number;
}

export class StreamTable {
  private readonly streams = new Map<string, StreamState>();
  /** Live streams per device. */
  private readonly devices = new Map<string, number>();
  /** The model for streams no `match` names: the first model without `match`. */
  private fallback: ServedModel | undefined;
  evicted = 0;

  constructor(private readonly models: ServedModel[], private readonly limits: StreamLimits) {
    this.fallback = models.find((m) => m.match === undefined);
  }

  get size(): number {
    return this.streams.size;
  }

  get deviceCount(): number {
    return this.devices.size;
  }

  /** The model serving "<device>/<stream>": the first whose `match` takes it, else the default. */
  route(device: string, stream: string): ServedModel | undefined {
    return this.models.find((m) => m.matches(device, stream)) ?? this.fallback;
  }

  /**
   * The stream's state, created on its first frame.
   * @throws RejectError E_NO_MODEL, E_DEVICE_LIMIT, E_STREAM_LIMIT
   */
  get(device: string, stream: string, now: number): StreamState {
    const key = `${device}/${stream}`;
    const s = this.streams.get(key);
    if (s) return s;
    const model = this.route(device, stream);
    if (!model) throw new RejectError('E_NO_MODEL', `${key}: no model serves this stream (no "match" takes it and every model has one)`);
    const perDevice = this.devices.get(device);
    if (perDevice === undefined && this.devices.size >= this.limits.maxDevices) {
      throw new RejectError('E_DEVICE_LIMIT', `${key}: ${this.devices.size} devices are live, the limit (maxDevices) is ${this.limits.maxDevices}`);
    }
    if ((perDevice ?? 0) >= this.limits.maxStreamsPerDevice) {
      throw new RejectError('E_STREAM_LIMIT', `${key}: device ${device} has ${perDevice} live streams, the limit (maxStreamsPerDevice) is ${this.limits.maxStreamsPerDevice}`);
    }
    const state = new StreamState(device, stream, model, now);
    if (model.mode === 'stream') {
      const slot = model.acquireSlot();
      if (slot === undefined) throw new RejectError('E_STREAM_LIMIT', `${key}: model ${model.name} has no free stream state slot`);
      state.slot = slot;
    }
    this.streams.set(key, state);
    this.devices.set(device, (perDevice ?? 0) + 1);
    return state;
  }

  /** Closes streams silent since before `now - idleMs`; returns their ended episodes. */
  evictIdle(now: number, idleMs: number): Array<{ stream: StreamState; events: EpisodeEvent[] }> {
    const out: Array<{ stream: StreamState; events: EpisodeEvent[] }> = [];
    for (const s of this.streams.values()) if (now - s.lastSeen > idleMs) out.push({ stream: s, events: this.remove(s) });
    this.evicted += out.length;
    return out;
  }

  /** Closes every stream (shutdown). */
  closeAll(): Array<{ stream: StreamState; events: EpisodeEvent[] }> {
    return [...this.streams.values()].map((s) => ({ stream: s, events: this.remove(s) }));
  }

  /**
   * A model update: `next` takes `old`'s place in the model list and every stream of `old` moves
   * to it (StreamState.rebind), keeping its chain when the input specs are identical and its
   * detector when the detector settings are. A streaming model keeps each stream's slot number;
   * a stream that finds no free slot is closed. Episodes that end go to `ended`.
   */
  replaceModel(old: ServedModel, next: ServedModel, ended: (stream: StreamState, events: EpisodeEvent[]) => void): { kept: number; restarted: number } {
    const i = this.models.indexOf(old);
    if (i < 0) throw new Error(`replaceModel: ${old.name} is not served`);
    this.models[i] = next;
    this.fallback = this.models.find((m) => m.match === undefined);
    const keepChain = sameInput(old, next);
    const keepDetector = sameDetector(old, next);
    const moving = [...this.streams.values()].filter((s) => s.model === old);
    if (next.mode === 'stream' && old.mode === 'stream') next.adoptSlots(new Set(moving.map((s) => s.slot).filter((x) => x >= 0)));
    let kept = 0, restarted = 0;
    for (const s of moving) {
      let slot = -1;
      if (next.mode === 'stream') {
        const own = old.mode === 'stream' && s.slot >= 0 ? s.slot : next.acquireSlot();
        if (own === undefined) {
          s.slot = -1; // not the new model's to release
          ended(s, this.remove(s));
          continue;
        }
        slot = own;
      }
      if (keepChain || s.chain === undefined) kept++;
      else restarted++;
      ended(s, s.rebind(next, keepChain, keepDetector, slot));
    }
    return { kept, restarted };
  }

  /** True while `device` has a live stream. */
  hasDevice(device: string): boolean {
    return this.devices.has(device);
  }

  values(): IterableIterator<StreamState> {
    return this.streams.values();
  }

  private remove(s: StreamState): EpisodeEvent[] {
    this.streams.delete(s.key);
    const n = (this.devices.get(s.device) ?? 1) - 1;
    if (n <= 0) this.devices.delete(s.device);
    else this.devices.set(s.device, n);
    if (s.slot >= 0) s.model.releaseSlot(s.slot);
    return s.close();
  }
}
