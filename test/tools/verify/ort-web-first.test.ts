/**
 * The known trap: onnxruntime-common hands onnxruntime-node's sessions to onnxruntime-web's WASM
 * backend when onnxruntime-web was loaded first (CommonJS, one shared onnxruntime-common). verify
 * must refuse rather than compare against WASM in the name of the native oracle. This file loads
 * onnxruntime-web on purpose, so it has its own process (vitest's forks pool: one per file).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { isWavegateError } from '../../../src/errors.js';
import { verify } from '../../../tools/verify/verify.js';
import { KERNELS, needs } from '../../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

needs(KERNELS).it('refuses when onnxruntime-web took onnxruntime-node\'s sessions', async () => {
  createRequire(import.meta.url)('onnxruntime-web');
  const run = verify({ model: `${ROOT}fixtures/models/ecg-beat-gru.wgm`, reference: `${ROOT}fixtures/models/ecg-beat-gru.onnx`, input: `${ROOT}fixtures/signals/ecg-beats.npy` });
  const e = await run.then(() => undefined, (err: unknown) => err);
  expect(isWavegateError(e, 'E_STATE'), String(e)).toBe(true);
  expect((e as Error).message).toMatch(/^verify: onnxruntime-node's session for .*ecg-beat-gru\.onnx is not on its native backend \(onnxruntime-web was loaded in this process first/);
});
