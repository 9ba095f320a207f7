import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { chooseBuild, hasWasmSimd, instantiateKernel, kernelModule, setKernelDir, setKernelLoader, type KernelBuild } from '../../../src/runtime/backend.js';
import { KERNELS, needs } from '../../helpers/needs.js';

describe('backend selection', () => {
  it('detects WASM SIMD (Node 20 has it); ref and simd resolve to themselves', async () => {
    expect(hasWasmSimd()).toBe(true);
    expect(await chooseBuild('simd')).toBe('simd');
    expect(await chooseBuild('ref')).toBe('ref');
  });

  needs(KERNELS).it('compiles each build once per process; instances are separate', async () => {
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

  needs(KERNELS).it('setKernelLoader: bytes or a compiled module from the host (a browser fetch), errors named', async () => {
    const bytes = (b: KernelBuild) => new Uint8Array(readFileSync(new URL(`../../../build/kernel-${b}.wasm`, import.meta.url)));
    const asked: KernelBuild[] = [];
    try {
      setKernelLoader(async (b) => (asked.push(b), bytes(b)));
      expect((await instantiateKernel('ref')).build).toBe('ref');
      expect((await instantiateKernel('simd')).exports.simdEnabled()).toBe(1);
      expect(asked).toEqual(['ref', 'simd']);
      setKernelLoader((b) => new WebAssembly.Module(bytes(b)));
      expect((await instantiateKernel('simd')).build).toBe('simd');
      setKernelLoader(() => Promise.reject(new Error('HTTP 404')));
      await expect(instantiateKernel('ref')).rejects.toMatchObject({ code: 'E_NOT_FOUND', message: expect.stringMatching(/loader failed for kernel-ref.wasm \(HTTP 404\)/) });
      setKernelLoader(() => new Uint8Array([0, 97, 115, 109, 9, 9]));
      await expect(instantiateKernel('ref')).rejects.toMatchObject({ code: 'E_KERNEL', message: expect.stringMatching(/kernel-ref.wasm \(from setKernelLoader\): cannot compile/) });
    } finally {
      setKernelLoader(undefined);
    }
    expect((await instantiateKernel('ref')).build).toBe('ref');
  });
});
