/**
 * Benchmark worker: wavegate through its public runtime API, one process.
 *
 *   wavegate-f32-scalar  f32 model on build/kernel-ref.wasm  (backend 'ref': the scalar reference)
 *   wavegate-f32-simd    f32 model on build/kernel-simd.wasm (backend 'simd')
 *   wavegate-int8-simd   INT8 model (per-row weights, dynamic activation scales) on kernel-simd
 *   wavegate-int8-relaxed the same INT8 model on build/kernel-relaxed.wasm (backend 'relaxed')
 *
 * Models are built in memory from the same seeded weights as the ONNX peers (wgm-build.ts).
 * Inputs are the peers' inputs, reordered from ORT's time-major [T, batch, I] to wavegate's
 * [batch, T, I] (the layout its API takes; the runtime copies into the kernel's own layout,
 * and that copy is timed, as ORT's input copy is).
 */
import { makeRow, type ImplName } from '../cases.js';
import type { BenchJob, RnnJob, StreamJob, StreamRow } from '../jobs.js';
import { measure, reportedNs } from '../measure.js';
import { makeInput, makeRnnWeights } from '../weights.js';
import { buildRnnWgm } from '../wgm-build.js';
import { emitRow, runWorker } from '../worker-io.js';
import { openWavegateSession, type BenchSession } from '../wavegate-api.js';
import { batchMajor } from '../batch-major.js';

interface ImplSetup {
  precision: 'f32' | 'int8';
  backend: 'ref' | 'simd' | 'relaxed';
}

const SETUP: Partial<Record<ImplName, ImplSetup>> = {
  'wavegate-f32-scalar': { precision: 'f32', backend: 'ref' },
  'wavegate-f32-simd': { precision: 'f32', backend: 'simd' },
  'wavegate-int8-simd': { precision: 'int8', backend: 'simd' },
  'wavegate-int8-relaxed': { precision: 'int8', backend: 'relaxed' },
};

function setupOf(impl: ImplName): ImplSetup {
  const s = SETUP[impl];
  if (!s) throw new Error(`wavegate worker: ${impl} is not a wavegate implementation`);
  return s;
}

async function open(impl: ImplName, c: { cell: 'lstm' | 'gru'; I: number; H: number }, seed: number, sizes: { batch: number; T: number; streams?: number }): Promise<BenchSession> {
  const { precision, backend } = setupOf(impl);
  const bytes = buildRnnWgm(makeRnnWeights(c.cell, c.I, c.H, seed), precision);
  return openWavegateSession(bytes, { backend, maxBatch: sizes.batch, maxWindow: sizes.T, maxChunk: sizes.T, streams: sizes.streams ?? sizes.batch });
}

async function runRnn(job: RnnJob): Promise<void> {
  for (const c of job.cases) {
    const x = batchMajor(makeInput(c.T, c.batch, c.I, job.seed), c.T, c.batch, c.I);
    for (const impl of job.impls) {
      const session = await open(impl, c, job.seed, { batch: c.batch, T: c.T });
      const m = await measure(() => session.run(x, c.batch, c.T), job.measure);
      emitRow(makeRow(impl, c, reportedNs(m, job.measure)));
      session.dispose();
    }
  }
}

/** Distinct input chunks cycled through (as the ORT worker does). */
const STREAM_INPUT_CHUNKS = 4;

async function runStream(job: StreamJob): Promise<void> {
  const { streams, chunk, inputSize: I, hiddenSize: H, cell } = job;
  const ids = Int32Array.from({ length: streams }, (_, i) => i);
  const inputs = Array.from({ length: STREAM_INPUT_CHUNKS }, (_, k) => batchMajor(makeInput(chunk, streams, I, job.seed + k), chunk, streams, I));
  for (const impl of job.impls) {
    const session = await open(impl, { cell, I, H }, job.seed, { batch: streams, T: chunk, streams });
    let k = 0;
    // All streams are ready: one push() advances every one of them by a chunk, state in the kernel.
    const m = await measure(() => session.push(ids, inputs[k++ % STREAM_INPUT_CHUNKS]), job.measure);
    const row: StreamRow = { impl, cell, streamStepsPerSec: (streams * chunk) / (reportedNs(m, job.measure) / 1e9) };
    emitRow(row);
    session.dispose();
  }
}

runWorker<BenchJob>(async (job) => {
  if (job.mode === 'rnn') await runRnn(job);
  else await runStream(job);
});
