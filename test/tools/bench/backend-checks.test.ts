import { describe, expect, it } from 'vitest';
import { assertNativeSession, assertWasmSession, NATIVE_HANDLER_CLASS } from '../../../tools/bench/backend-checks.js';
import { isWavegateError } from '../../../src/errors.js';

class OnnxruntimeSessionHandler {}
class WasmHandler {}
const native = { handler: new OnnxruntimeSessionHandler() };
const wasm = { handler: new WasmHandler() };

function refused(f: () => void): boolean {
  try {
    f();
    return false;
  } catch (e) {
    return isWavegateError(e, 'E_STATE');
  }
}

describe('ORT backend checks', () => {
  it('the native check passes only for the N-API handler with onnxruntime-web absent', () => {
    expect(OnnxruntimeSessionHandler.name).toBe(NATIVE_HANDLER_CLASS);
    expect(refused(() => assertNativeSession(native, { common: '1.30.0', node: '1.30.0' }))).toBe(false);
    expect(refused(() => assertNativeSession(wasm, { common: '1.30.0', node: '1.30.0' }))).toBe(true);
    expect(refused(() => assertNativeSession(native, { node: '1.30.0', web: '1.30.0' }))).toBe(true);
    expect(refused(() => assertNativeSession(undefined, { node: '1.30.0' }))).toBe(true);
  });

  it('the WASM check wants onnxruntime-web alone, one thread, not the native handler', () => {
    expect(refused(() => assertWasmSession(wasm, { web: '1.30.0' }, 1))).toBe(false);
    expect(refused(() => assertWasmSession(wasm, { web: '1.30.0' }, 4))).toBe(true);
    expect(refused(() => assertWasmSession(native, { web: '1.30.0' }, 1))).toBe(true);
    expect(refused(() => assertWasmSession(wasm, { web: '1.30.0', node: '1.30.0' }, 1))).toBe(true);
  });
});
