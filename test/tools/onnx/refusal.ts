import { isWavegateError } from '../../../src/errors.js';
import { importOnnx } from '../../../tools/onnx/import.js';

/** The importer's refusal of `bytes` (code and message); throws when the import succeeds or fails some other way. */
export function refusal(bytes: Uint8Array): { code: string; message: string } {
  try {
    importOnnx(bytes);
  } catch (e) {
    if (!isWavegateError(e)) throw e;
    return { code: e.code, message: e.message };
  }
  throw new Error('import succeeded, a refusal was expected');
}
