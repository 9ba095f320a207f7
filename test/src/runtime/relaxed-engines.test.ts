/**
 * Which engines run kernel-relaxed.wasm (src/runtime/backend.ts): from V8 11.4 on (Node >= 22,
 * Chrome >= 114) `auto` must pick it; on Node 20, without the flag relaxed SIMD does not even
 * validate, and with --experimental-wasm-relaxed-simd V8 11.3 computes the relaxed dot product
 * wrongly in its baseline tier (Liftoff): the load-time self-test sees it, the version refusal
 * covers code tiered up later, and every session falls back to the SIMD build. That path runs
 * here in a child process on Node 20 with the flag (the machine's Node in .ci/run's Node 24 leg,
 * or this process's own Node in the Node 20 leg).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseBuild, relaxedDotForm, relaxedSupport } from '../../../src/runtime/backend.js';
import { loadModel } from '../../../src/runtime/model.js';
import { KERNELS, needs, requirement } from '../../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./relaxed-child.ts', import.meta.url));
const v8Major = Number(process.versions.v8.split('.')[0]);

/** A Node 20 binary: this process's own, or the first `node` on PATH that is version 20 (WAVEGATE_NODE20 overrides). */
function node20(): string | undefined {
  for (const bin of [process.env.WAVEGATE_NODE20, process.execPath, 'node'].filter((b): b is string => !!b)) {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.startsWith('v20.')) return bin;
  }
  return undefined;
}
const NODE20 = node20();
/** Node 20 (the machine's, or WAVEGATE_NODE20): present in both legs of .ci/run. */
const HAS_NODE20 = requirement('a Node 20 binary (this Node, `node` on PATH, or WAVEGATE_NODE20)', () => NODE20 !== undefined);

function child(bin: string, flags: string[]): Record<string, unknown> {
  const r = spawnSync(bin, [...flags, '--import', 'tsx', CHILD], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

needs(KERNELS).describe('the relaxed build on this engine and on Node 20', () => {
  it(`this engine (Node ${process.version}, V8 ${process.versions.v8}): auto picks ${v8Major >= 12 ? 'relaxed' : 'simd'}`, async () => {
    const support = await relaxedSupport();
    const model = await loadModel(`${ROOT}fixtures/models/ecg-beat-gru-int8.wgm`);
    const session = await model.createSession();
    if (v8Major >= 12) {
      // Node 22, 24, 26: relaxed SIMD on by default, computed right in every tier.
      expect(support).toEqual({ usable: true, reason: expect.stringMatching(/self-test passed/) });
      expect(await chooseBuild('auto')).toBe('relaxed');
      expect(session.backend).toBe('relaxed');
      expect((await model.createSession({ backend: 'relaxed' })).backend).toBe('relaxed');
      // An INT8 file of format version 3 (8-bit activations): auto keeps the relaxed build except
      // on x86 without AVX-VNNI (dot form 1), where the SIMD build is faster for it (same bits).
      const legacy = await loadModel(`${ROOT}fixtures/models/legacy/ecg-beat-gru-int8.v3.wgm`);
      expect((await legacy.createSession()).backend).toBe((await relaxedDotForm()) === 1 ? 'simd' : 'relaxed');
      expect((await legacy.createSession({ backend: 'relaxed' })).backend).toBe('relaxed');
      legacy.dispose();
    } else {
      expect(support.usable).toBe(false);
      expect(await chooseBuild('auto')).toBe('simd');
      expect(session.backend).toBe('simd');
      await expect(model.createSession({ backend: 'relaxed' })).rejects.toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/backend "relaxed" requested but .*use "auto" or "simd"/) });
    }
    model.dispose();
  });

  needs(HAS_NODE20).it('Node 20 with --experimental-wasm-relaxed-simd: the self-test catches the wrong dot products, every session falls back to simd', () => {
    const liftoff = child(NODE20!, ['--experimental-wasm-relaxed-simd']);
    expect(liftoff).toMatchObject({ hasRelaxedSimd: true, knownBad: expect.stringMatching(/V8 11\.3/), auto: 'simd', session: 'simd' });
    expect(liftoff.selfTestWrong).toBeGreaterThan(0); // measured on Node 20.20.2: most of the 60 row checks wrong under Liftoff
    expect(liftoff.support).toMatchObject({ usable: false });
    // The same engine without its baseline tier computes the instruction right, so the self-test
    // is not failing for its own reasons; the version refusal still stands (tier-up is not re-checked).
    const turbofan = child(NODE20!, ['--experimental-wasm-relaxed-simd', '--no-liftoff']);
    expect(turbofan).toMatchObject({ hasRelaxedSimd: true, selfTestWrong: 0, auto: 'simd', session: 'simd' });
    // And without the flag relaxed SIMD does not validate at all.
    expect(child(NODE20!, [])).toMatchObject({ hasRelaxedSimd: false, auto: 'simd', session: 'simd' });
  }, 120_000);
});
