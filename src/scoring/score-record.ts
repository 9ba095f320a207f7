/**
 * Scores a raw recording with the model's own pipeline: the model's metadata picks the channels
 * (by name), the preprocessing, the windowing (fixed or beat-triggered) and the side features; the
 * record is never reshaped to fit a model that does not describe itself.
 *
 *   const model = await loadModel('ecg.wgm');
 *   for await (const batch of scoreRecord(model, readRecord('mitdb/100'))) for (const s of batch) ...
 */
import { WavegateError } from '../errors.js';
import { recordFrames, type RawRecord } from '../io/record.js';
import type { Model } from '../runtime/model.js';
import type { BackendChoice } from '../runtime/options.js';
import { assertKnownOptions } from '../options-check.js';
import { streamChannels } from '../signal/pipeline.js';
import { createRecordChain, type ChainWindow } from './signal-chain.js';
import { runWindows } from './run-windows.js';

/** One scored window or beat. */
export interface ScoredWindow {
  /** Position in the output, from 0, in record order. */
  index: number;
  /** The window's first sample (fixed windows) or its R peak (beat models), in the record's samples. */
  sample: number;
  /** `sample` in seconds from the record's start. */
  time: number;
  /** The label of the largest output, when the model has labels. */
  label?: string;
  /** The model's output vector (after its softmax/sigmoid). */
  output: number[];
}

export interface ScoreRecordOptions {
  /** Record channels that feed the model's channels, in order. Default: the model's `input.raw.channels` (else `input.channelNames`). */
  channels?: string[];
  /** Windows per kernel call. Default 64. */
  batch?: number;
  /** Kernel build. Default `auto`. */
  backend?: BackendChoice;
  /** Called as the record is consumed: samples pushed so far and the record's length. */
  onProgress?: (done: number, total: number) => void;
}

const SCORE_RECORD_OPTIONS = ['channels', 'batch', 'backend', 'onProgress'] as const;

/** Frames pushed through the chain per step: about 3 minutes of ECG, or 5 s of 12 kHz vibration. */
const CHUNK_FRAMES = 1 << 16;

/** The label of the largest output (the first on ties), or undefined without labels. */
export function topLabel(output: ArrayLike<number>, labels: readonly string[] | undefined): string | undefined {
  if (!labels) return undefined;
  let best = 0;
  for (let i = 1; i < output.length; i++) if (output[i] > output[best]) best = i;
  return labels[best];
}

/** The record channels a model reads, in its channel order. */
export function modelChannels(model: Model, override?: readonly string[]): string[] {
  const input = model.metadata.input;
  const names = override ?? input.raw?.channels ?? input.channelNames;
  if (!names) throw new WavegateError('E_MODEL_UNSUPPORTED', 'the model names no input channels (input.raw.channels); re-import it with --dataset or --meta, or name the record channels to read');
  const channels = streamChannels(input);
  if (names.length !== channels) {
    throw new WavegateError('E_ARGUMENT', `${names.length} channel name(s) given (${names.join(', ')}); the model takes ${channels}`);
  }
  return [...names];
}

/**
 * Scores `record` window by window (or beat by beat), yielding batches of results in record order.
 * Throws before the first result for anything that does not fit: a missing channel, a sample rate
 * the model's stages cannot take, other units, a model that does not describe its input.
 */
export async function* scoreRecord(model: Model, record: RawRecord, options: ScoreRecordOptions = {}): AsyncGenerator<ScoredWindow[]> {
  assertKnownOptions(options, SCORE_RECORD_OPTIONS, 'scoreRecord() options');
  const meta = model.metadata;
  const names = modelChannels(model, options.channels);
  const units = meta.input.raw?.units;
  for (const name of names) {
    const ch = record.channels.find((c) => c.name === name);
    if (ch?.units !== undefined && units !== undefined && ch.units !== units) {
      throw new WavegateError('E_INPUT', `${record.source}: channel ${name} is in ${ch.units}, the model takes ${units} (input.raw.units)`);
    }
  }
  const frames = recordFrames(record, names);
  const chain = createRecordChain(meta.input, record.sampleRate, record.source);
  const batch = options.batch ?? 64;
  const session = await model.createSession({ maxBatch: batch, backend: options.backend, ...(meta.input.window ? {} : { maxWindow: windowOf(meta.input) }) });
  const T = windowOf(meta.input);
  const C = meta.input.channels;
  const F = meta.input.features?.names.length ?? 0;
  let index = 0;
  const pending: ChainWindow[] = [];
  const score = (list: ChainWindow[]): ScoredWindow[] => {
    const n = list.length;
    const x = new Float32Array(n * T * C);
    list.forEach((w, k) => x.set(w.data, k * T * C));
    let features: Float32Array | undefined;
    if (F > 0) {
      features = new Float32Array(n * F);
      list.forEach((w, k) => features!.set(w.features!, k * F));
    }
    const y = runWindows(session, x, n, T, features);
    const S = session.outputSize;
    return list.map((w, k) => {
      const output = Array.from(y.subarray(k * S, (k + 1) * S));
      const label = topLabel(output, meta.labels);
      return { index: index++, sample: w.sample, time: Math.round((w.sample / record.sampleRate) * 1e6) / 1e6, ...(label !== undefined ? { label } : {}), output };
    });
  };
  try {
    for (let start = 0; start < record.length; start += CHUNK_FRAMES) {
      const end = Math.min(record.length, start + CHUNK_FRAMES);
      pending.push(...chain.push(frames.subarray(start * C, end * C)));
      while (pending.length >= batch) yield score(pending.splice(0, batch));
      options.onProgress?.(end, record.length);
    }
    pending.push(...chain.end());
    while (pending.length > 0) yield score(pending.splice(0, batch));
  } finally {
    session.dispose();
  }
}

function windowOf(input: Model['metadata']['input']): number {
  const w = input.windowing;
  if (w?.mode === 'fixed') return w.window;
  if (w?.mode === 'beat') return w.before + w.after;
  if (input.window !== undefined) return input.window;
  throw new WavegateError('E_MODEL_UNSUPPORTED', 'the model has no window length (input.windowing)');
}
