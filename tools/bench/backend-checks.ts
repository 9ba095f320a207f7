/**
 * Checks that an ONNX Runtime session runs on the backend a worker is meant to measure. Pure
 * functions of the session and `env.versions`, so they are unit-tested without loading either
 * package (the workers call them on every session they open).
 *
 * - onnxruntime-node's sessions are handled by its N-API class `OnnxruntimeSessionHandler`
 *   (onnxruntime-node/dist/backend.js); onnxruntime-web's WASM handler is another class.
 * - Each package records itself in `env.versions` (`node` / `web`) when it registers its backends;
 *   with CommonJS both share one onnxruntime-common, so a `web` entry in an ort-node worker means
 *   onnxruntime-web got loaded and may have claimed sessions.
 */
import { WavegateError } from '../../src/errors.js';

export const NATIVE_HANDLER_CLASS = 'OnnxruntimeSessionHandler';

type Versions = Record<string, string | undefined>;

function handlerClass(session: unknown): string | undefined {
  return (session as { handler?: { constructor?: { name?: string } } } | undefined)?.handler?.constructor?.name;
}

export function assertNativeSession(session: unknown, versions: Versions): void {
  const name = handlerClass(session);
  if (name !== NATIVE_HANDLER_CLASS || versions.web !== undefined || versions.node === undefined) {
    throw new WavegateError(
      'E_STATE',
      `ort-node worker: session is not on the native backend (handler ${name}, env.versions ${JSON.stringify(versions)})`,
    );
  }
}

export function assertWasmSession(session: unknown, versions: Versions, numThreads: number | undefined): void {
  const name = handlerClass(session);
  if (versions.web === undefined || versions.node !== undefined || name === NATIVE_HANDLER_CLASS || numThreads !== 1) {
    throw new WavegateError(
      'E_STATE',
      `ort-web worker: session is not on the single-threaded WASM backend (handler ${name}, env.versions ${JSON.stringify(versions)}, numThreads ${numThreads})`,
    );
  }
}
