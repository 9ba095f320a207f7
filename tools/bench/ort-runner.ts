/**
 * Runs a benchmark job on an ONNX Runtime package (onnxruntime-node or onnxruntime-web): both expose
 * the onnxruntime-common API, so one runner serves both workers. The worker passes the package it
 * imported, the session options it wants and a check that the expected backend is in use; this
 * module itself imports no runtime (types only), so it cannot pull the other package in.
 */
import type * as OrtCommon from 'onnxruntime-common';
import { makeRow, isInt8, type ImplName } from './cases.js';
import { onnxModelFile, type RnnJob, type StreamJob, type StreamRow } from './jobs.js';
import { measure, reportedNs } from './measure.js';
import { emitRow } from './worker-io.js';
import { makeInput } from './weights.js';

type Ort = Pick<typeof OrtCommon, 'InferenceSession' | 'Tensor'>;
type Session = OrtCommon.InferenceSession;

export interface OrtFlavour {
  ort: Ort;
  sessionOptions: OrtCommon.InferenceSession.SessionOptions;
  /** Throws unless `session` runs on the backend this worker is meant to measure. */
  assertBackend(session: Session): void;
}

async function openSession(f: OrtFlavour, path: string): Promise<Session> {
  const session = await f.ort.InferenceSession.create(path, f.sessionOptions);
  f.assertBackend(session);
  return session;
}

/** ns per step of one `session.run` over a whole [T, batch, I] sequence, output Y_h only. */
export async function runOrtRnnJob(f: OrtFlavour, job: RnnJob): Promise<void> {
  for (const c of job.cases) {
    for (const impl of job.impls) {
      const path = onnxModelFile(job.modelDir, {
        cell: c.cell,
        inputSize: c.I,
        hiddenSize: c.H,
        precision: isInt8(impl) ? 'int8' : 'f32',
        io: 'final',
        seed: job.seed,
      });
      const session = await openSession(f, path);
      const x = new f.ort.Tensor('float32', makeInput(c.T, c.batch, c.I, job.seed), [c.T, c.batch, c.I]);
      const m = await measure(() => session.run({ X: x }), job.measure);
      emitRow(makeRow(impl, c, reportedNs(m, job.measure)));
      await session.release();
    }
  }
}

/** Distinct input chunks cycled through, so no call sees the same data as the previous one. */
const STREAM_INPUT_CHUNKS = 4;

/**
 * The streaming job on ORT "as well as it can be": every ready stream batched into one run
 * (batch = streams), h and c fed back from the previous run's Y_h / Y_c outputs.
 */
export async function runOrtStreamJob(f: OrtFlavour, job: StreamJob): Promise<void> {
  const { streams, chunk, inputSize: I, hiddenSize: H, cell } = job;
  for (const impl of job.impls) {
    const path = onnxModelFile(job.modelDir, {
      cell,
      inputSize: I,
      hiddenSize: H,
      precision: isInt8(impl) ? 'int8' : 'f32',
      io: 'stream',
      seed: job.seed,
    });
    const session = await openSession(f, path);
    const inputs = Array.from(
      { length: STREAM_INPUT_CHUNKS },
      (_, k) => new f.ort.Tensor('float32', makeInput(chunk, streams, I, job.seed + k), [chunk, streams, I]),
    );
    let h: OrtCommon.Tensor = new f.ort.Tensor('float32', new Float32Array(streams * H), [1, streams, H]);
    let c: OrtCommon.Tensor = new f.ort.Tensor('float32', new Float32Array(streams * H), [1, streams, H]);
    let k = 0;
    const call = async (): Promise<void> => {
      const feeds: Record<string, OrtCommon.Tensor> = { X: inputs[k++ % STREAM_INPUT_CHUNKS], initial_h: h };
      if (cell === 'lstm') feeds.initial_c = c;
      const out = await session.run(feeds);
      h = out.Y_h;
      if (cell === 'lstm') c = out.Y_c;
    };
    const m = await measure(call, job.measure);
    const row: StreamRow = { impl: impl as ImplName, cell, streamStepsPerSec: (streams * chunk) / (reportedNs(m, job.measure) / 1e9) };
    emitRow(row);
    await session.release();
  }
}
