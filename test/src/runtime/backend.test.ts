import { describe, expect, it } from 'vitest';
import { chooseBuild, hasWasmSimd, instantiateKernel, kernelModule, setKernelDir } from '../../../src/runtime/backend.js';
import { kernelsBuilt } from './helpers.js';

describe('backend selection', () => {
  it('detects WASM SIMD (Node 20 has it) and resolves auto to simd', () => {
    expect(hasWasmSimd()).toBe(true);
    expect(chooseBuild('auto')).toBe('simd');
    expect(chooseBuild('ref')).toBe('ref');
  });

  it.skipIf(!kernelsBuilt)('compiles each build once per process; instances are separate', async () => {
    expect(kernelModule('ref')).toBe(kernelModule('ref'));
    const [a, b] = await Promise.all([instantiateKernel('ref'), instantiateKernel('ref')]);
    expect(a.exports.memory).not.toBe(b.exports.memory);
  });

  it('a missing kernel folder gives E_NOT_FOUND naming the file', async () => {
    setKernelDir('/nonexistent-wavegate-dir');
    try {
      await expect(instantiateKernel('ref')).rejects.toMatchObject({ code: 'E_NOT_FOUND', message: expect.stringMatching(/nonexistent-wavegate-dir\/kernel-ref.wasm cannot be read/) });
    } finally {
      setKernelDir(undefined);
    }
  });
});
