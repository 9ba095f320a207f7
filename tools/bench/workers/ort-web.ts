/**
 * Benchmark worker: onnxruntime-web's WebAssembly backend in Node (the `node` export of the
 * package, its SIMD build), one thread, no proxy worker. Runs alone in its process.
 *
 * Backend check on every session (backend-checks.ts): `env.versions.web` set, `env.versions.node`
 * absent, the handler not onnxruntime-node's native class, one thread.
 */
import * as ort from 'onnxruntime-web';
import type { BenchJob } from '../jobs.js';
import { runOrtRnnJob, runOrtStreamJob, type OrtFlavour } from '../ort-runner.js';
import { runWorker } from '../worker-io.js';
import { assertWasmSession } from '../backend-checks.js';

ort.env.wasm.numThreads = 1;
ort.env.wasm.simd = true;
ort.env.wasm.proxy = false;

const flavour: OrtFlavour = {
  ort,
  sessionOptions: { executionProviders: ['wasm'], graphOptimizationLevel: 'all' },
  assertBackend: (session) =>
    assertWasmSession(session, ort.env.versions as Record<string, string | undefined>, ort.env.wasm.numThreads),
};

runWorker<BenchJob>(async (job) => {
  if (job.mode === 'rnn') await runOrtRnnJob(flavour, job);
  else await runOrtStreamJob(flavour, job);
});
