/** The host's ABI mirror (src/runtime/abi.ts) agrees with the kernel's constants and exports. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as abi from '../../../src/runtime/abi.js';
import { instantiateKernel } from '../../../src/runtime/backend.js';
import { KERNELS, needs } from '../../helpers/needs.js';
import { BACKENDS } from './helpers.js';

const asm = (f: string) => fileURLToPath(new URL(`../../../assembly/${f}`, import.meta.url));

/** `export const NAME: i32 = 3;` declarations of a kernel source file. */
function kernelConstants(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of readFileSync(asm(file), 'utf8').matchAll(/export const (\w+): i32 = (-?\d+);/g)) out.set(m[1], Number(m[2]));
  return out;
}

describe('ABI constants', () => {
  it('every constant of assembly/abi.ts has the same value on the host', () => {
    const k = kernelConstants('abi.ts');
    expect(k.size).toBeGreaterThan(10);
    for (const [name, value] of k) expect((abi as Record<string, unknown>)[name], name).toBe(value);
  });

  it('status codes of assembly/status.ts match STATUS_*', () => {
    const k = kernelConstants('status.ts');
    expect(k.size).toBeGreaterThanOrEqual(4);
    for (const [name, value] of k) expect((abi as Record<string, unknown>)[`STATUS_${name}`], name).toBe(value);
  });
});

needs(KERNELS).describe('ABI of the built kernels', () => {
  it.each(BACKENDS)('kernel-%s.wasm reports the host ABI version and has every export', async (backend) => {
    const { exports, build } = await instantiateKernel(backend);
    expect(build).toBe(backend);
    expect(exports.abiVersion()).toBe(abi.ABI_VERSION);
    expect(exports.simdEnabled()).toBe(backend === 'ref' ? 0 : 1);
    expect(exports.relaxedEnabled()).toBe(backend === 'relaxed' ? 1 : 0);
    expect(exports.selfTest()).toBe(0);
    for (const name of abi.REQUIRED_EXPORTS) expect(exports[name], name).toBeDefined();
  });

  it('reserve returns 16-byte aligned pointers', async () => {
    const { exports } = await instantiateKernel('ref');
    for (const n of [1, 7, 100, 4096]) expect((exports.reserve(n) >>> 0) % abi.KERNEL_ALIGN).toBe(0);
  });
});
