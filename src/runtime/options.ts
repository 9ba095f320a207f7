/**
 * Session options: one interface, each option documented with its default, defaults in one
 * object, resolved and checked in one place (as MQTT.js's IClientOptions/defaultConnectOptions).
 */
import { WavegateError } from '../errors.js';
import type { WgmMetadata } from '../model/schema.js';
import { assertKnownOptions } from '../options-check.js';

/**
 * Which kernel build runs the model. `auto`: relaxed where the engine accepts relaxed SIMD and
 * computes its 8-bit dot product right (src/runtime/backend.ts), else simd where it supports
 * WASM SIMD, else ref. Every build gives the same INT8 bits.
 */
export type BackendChoice = 'auto' | 'relaxed' | 'simd' | 'ref';

export interface SessionOptions {
  /** Most streams (or windows) advanced in one kernel call; larger requests are tiled. Default 32. */
  maxBatch?: number;
  /** Most time steps per kernel call in streaming mode; longer chunks are tiled. Default 256. */
  maxChunk?: number;
  /**
   * Longest window `run()` accepts (time steps). Windows are run whole (bidirectional layers need
   * the whole sequence), so the sequence buffers hold max(maxChunk, maxWindow) steps.
   * Default: the model's `input.window`, or `maxChunk` when the model has none.
   */
  maxWindow?: number;
  /** Stream slots whose state the session keeps for `push()`. Ids are 0 .. streams-1. Default `maxBatch`. */
  streams?: number;
  /** Kernel build. Default `auto`. */
  backend?: BackendChoice;
  /** Upper bound on the kernel's memory (bytes); session creation fails beyond it. Default 1 GiB. */
  maxMemoryBytes?: number;
}

export type ResolvedSessionOptions = Required<SessionOptions>;

/** Every SessionOptions key; anything else is refused (a misspelt option must not fall back to its default). */
export const SESSION_OPTION_NAMES: readonly (keyof SessionOptions)[] = ['maxBatch', 'maxChunk', 'maxWindow', 'streams', 'backend', 'maxMemoryBytes'];

export const DEFAULT_SESSION_OPTIONS = Object.freeze({
  maxBatch: 32,
  maxChunk: 256,
  backend: 'auto' as BackendChoice,
  maxMemoryBytes: 1024 * 1024 * 1024,
});

/** Hard ceilings that keep size arithmetic far from 2^31 (wasm32 pointers). */
const CEILING = { maxBatch: 65536, maxChunk: 1 << 20, maxWindow: 1 << 20, streams: 1 << 20 };

function positiveInt(name: string, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw new WavegateError('E_ARGUMENT', `session option ${name}: expected an integer in [1, ${max}], got ${String(v)}`);
  }
  return v;
}

/** Fills defaults and checks ranges. */
export function resolveSessionOptions(meta: WgmMetadata, opts: SessionOptions = {}): ResolvedSessionOptions {
  assertKnownOptions(opts, SESSION_OPTION_NAMES, 'session options');
  const maxBatch = positiveInt('maxBatch', opts.maxBatch ?? DEFAULT_SESSION_OPTIONS.maxBatch, CEILING.maxBatch);
  const maxChunk = positiveInt('maxChunk', opts.maxChunk ?? DEFAULT_SESSION_OPTIONS.maxChunk, CEILING.maxChunk);
  const maxWindow = positiveInt('maxWindow', opts.maxWindow ?? meta.input.window ?? maxChunk, CEILING.maxWindow);
  const streams = positiveInt('streams', opts.streams ?? maxBatch, CEILING.streams);
  const backend = opts.backend ?? DEFAULT_SESSION_OPTIONS.backend;
  if (backend !== 'auto' && backend !== 'relaxed' && backend !== 'simd' && backend !== 'ref') {
    throw new WavegateError('E_ARGUMENT', `session option backend: expected "auto", "relaxed", "simd" or "ref", got ${String(backend)}`);
  }
  const maxMemoryBytes = opts.maxMemoryBytes ?? DEFAULT_SESSION_OPTIONS.maxMemoryBytes;
  if (typeof maxMemoryBytes !== 'number' || !(maxMemoryBytes > 0) || maxMemoryBytes > 4 * 1024 ** 3) {
    throw new WavegateError('E_ARGUMENT', `session option maxMemoryBytes: expected a number in (0, 4 GiB], got ${String(maxMemoryBytes)}`);
  }
  return { maxBatch, maxChunk, maxWindow, streams, backend, maxMemoryBytes };
}
