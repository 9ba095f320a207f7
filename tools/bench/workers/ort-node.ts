/**
 * Benchmark worker: onnxruntime-node, native CPU execution provider, one intra-op and one
 * inter-op thread. Runs alone in its process (see worker-io.ts).
 *
 * Native-backend check on every session (backend-checks.ts): the handler must be onnxruntime-node's
 * N-API `OnnxruntimeSessionHandler` and onnxruntime-web must not have registered itself
 * (`env.versions.web` absent). A session routed to the WASM backend fails and stops the run.
 */
import ort from 'onnxruntime-node';
import type { BenchJob } from '../jobs.js';
import { runOrtRnnJob, runOrtStreamJob, type OrtFlavour } from '../ort-runner.js';
import { runWorker } from '../worker-io.js';
import { assertNativeSession } from '../backend-checks.js';

const flavour: OrtFlavour = {
  ort,
  sessionOptions: {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  },
  assertBackend: (session) => assertNativeSession(session, ort.env.versions as Record<string, string | undefined>),
};

runWorker<BenchJob>(async (job) => {
  if (job.mode === 'rnn') await runOrtRnnJob(flavour, job);
  else await runOrtStreamJob(flavour, job);
});
