/**
 * The device bundle on a Raspberry Pi's CPUs: the official Node builds for arm64 and 32-bit ARM
 * (armv7l) under qemu-user, as test/portability/cross-cpu.test.ts runs them (see its header for
 * what emulation covers and what it does not), each running the bundle alone in an empty folder.
 * `score` on both kernel builds and a `serve` session (a minute of ECG through the embedded
 * broker, every window's outputs published with --publish-scores) must give the same bytes as
 * this machine's x64 Node: INT8 outputs bit-identical, printed as the shortest decimal that reads
 * back to the same float32, through the whole signal chain, QRS detection and detector.
 *
 * Needs tools/portability/fetch-nodes.sh and Debian's qemu-user and cross C libraries; skipped
 * without them unless WAVEGATE_REQUIRE_ALL=1 or WAVEGATE_REQUIRE_CROSS_CPU=1.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { BUNDLE_MODEL, BUNDLE_WINDOWS, bundleInEmptyDir, ecgFrames, runBundle, serveSession, type BundleDir, type ServeResult } from '../helpers/device-bundle.js';
import { CWRU, KERNELS, needs, requirement } from '../helpers/needs.js';
import { CWRU_DIR } from '../helpers/shared-data.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODES = process.env.WAVEGATE_CROSS_NODES ?? `${ROOT}.cache/portability`;
const T0 = 1_767_225_600_000;
const run = promisify(execFile);

const TARGETS = [
  { name: 'arm64', qemu: '/usr/bin/qemu-aarch64', sysroot: '/usr/aarch64-linux-gnu', node: `${NODES}/arm64/bin/node`, arch: 'arm64' },
  { name: 'armv7l (32-bit ARM)', qemu: '/usr/bin/qemu-arm', sysroot: '/usr/arm-linux-gnueabihf', node: `${NODES}/armv7l/bin/node`, arch: 'arm' },
];

let b: BundleDir;
/** A second device folder: the bundle, the bearing-fault model (spectrum stage) and a CWRU recording. */
let vibration: string | undefined;
const VIBRATION_RECORD = '12k_Drive_End_B007_0_118.mat';
const vibrationArgs = (backend: string) => ['score', '--model', 'bearing-fault.wgm', '--record', VIBRATION_RECORD, '--out', '-', '--backend', backend, '--no-progress'];
const x64Vibration: Record<string, string> = {};

/** x64's scores of the recording, once, in the folder made for it. */
async function vibrationOnX64(): Promise<string> {
  if (!vibration) {
    vibration = mkdtempSync(join(tmpdir(), 'wavegate-device-vibration-'));
    copyFileSync(join(b.dir, 'wavegate.mjs'), join(vibration, 'wavegate.mjs'));
    copyFileSync(join(ROOT, 'models', 'bearing-fault.wgm'), join(vibration, 'bearing-fault.wgm'));
    copyFileSync(join(CWRU_DIR, VIBRATION_RECORD), join(vibration, VIBRATION_RECORD));
    for (const backend of ['simd', 'ref']) {
      const r = await runBundle([process.execPath], vibration, vibrationArgs(backend));
      if (r.code !== 0) throw new Error(r.stderr);
      x64Vibration[backend] = r.stdout;
    }
  }
  return vibration;
}
const x64: { score: Record<string, string>; serve?: ServeResult } = { score: {} };
const scoreArgs = (backend: string) => ['score', '--model', BUNDLE_MODEL, '--input', BUNDLE_WINDOWS, '--out', '-', '--backend', backend, '--no-progress'];

/** The scores messages sorted by window start, so that the order of arrival does not matter. */
const byStart = (r: ServeResult) => [...r.scores].sort((p, q) => (JSON.parse(p) as { start: number }).start - (JSON.parse(q) as { start: number }).start);

needs(KERNELS).describe('the device bundle on arm64 and armv7l (qemu-user): the same bytes as x64', () => {
  beforeAll(async () => {
    b = await bundleInEmptyDir();
    for (const backend of ['simd', 'ref']) {
      const r = await runBundle([process.execPath], b.dir, scoreArgs(backend));
      if (r.code !== 0) throw new Error(r.stderr);
      x64.score[backend] = r.stdout;
    }
    x64.serve = await serveSession([process.execPath], b.dir, { frames: ecgFrames(T0) });
  }, 120_000);
  afterAll(() => {
    if (b) for (const d of [b.dir, dirname(b.file)]) rmSync(d, { recursive: true, force: true });
    if (vibration) rmSync(vibration, { recursive: true, force: true });
  });

  for (const t of TARGETS) {
    const installed = requirement(
      `${t.qemu}, ${t.node} and ${t.sysroot}/lib (run tools/portability/fetch-nodes.sh and install the Debian packages it lists)`,
      () => existsSync(t.qemu) && existsSync(t.node) && existsSync(`${t.sysroot}/lib`),
      'WAVEGATE_REQUIRE_CROSS_CPU',
    );
    const arm = [t.qemu, '-L', t.sysroot, t.node];

    needs(installed).it(`${t.name}: score gives x64's bytes on the SIMD and the reference kernel`, async () => {
      const { stdout: arch } = await run(arm[0], [...arm.slice(1), '-p', 'process.arch']);
      expect(arch.trim()).toBe(t.arch);
      for (const backend of ['simd', 'ref']) {
        const r = await runBundle(arm, b.dir, scoreArgs(backend));
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(200);
        expect(r.stdout === x64.score[backend], `${t.name} ${backend}: score output differs from x64`).toBe(true);
      }
      console.log(`bundle-arm: ${t.name}: score (simd, ref) = x64 byte for byte, 2 x 200 windows`);
    }, 300_000);

    // The spectrum stage (FFT, ln from exact-math.ts) ahead of the kernel: the whole chain's bytes.
    needs(installed, CWRU).it(`${t.name}: score of a vibration recording through the spectrum stage gives x64's bytes`, async () => {
      const dir = await vibrationOnX64();
      for (const backend of ['simd', 'ref']) {
        const r = await runBundle(arm, dir, vibrationArgs(backend));
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(400);
        expect(r.stdout === x64Vibration[backend], `${t.name} ${backend}: vibration scores differ from x64`).toBe(true);
      }
      console.log(`bundle-arm: ${t.name}: bearing-fault over ${VIBRATION_RECORD} (spectrum stage) = x64 byte for byte, simd and ref`);
    }, 300_000);

    needs(installed).it(`${t.name}: a serve session publishes x64's scores and alerts, bit for bit`, async () => {
      const want = x64.serve!;
      expect(want.code, want.stderr).toBe(0);
      const r = await serveSession(arm, b.dir, { frames: ecgFrames(T0), expected: want.scores.length, quietMs: 3000, startMs: 120_000, runMs: 240_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.scores).toHaveLength(want.scores.length);
      const differing = byStart(r).filter((s, i) => s !== byStart(want)[i]);
      expect(differing, `${t.name}: windows whose published outputs differ from x64's`).toEqual([]);
      expect(r.alerts).toEqual(want.alerts);
      console.log(`bundle-arm: ${t.name}: serve = x64 on ${r.scores.length} windows and ${r.alerts.length} alerts`);
    }, 420_000);
  }
});
