/**
 * The device bundle (`npm run bundle`, tools/bundle/device.ts): built, copied alone into an empty
 * folder with a model and inputs, and run there by plain `node` with no node_modules anywhere:
 * `--version`, `inspect`, `score` (output byte for byte the source CLI's) and a short `serve` on
 * its embedded broker that scores the fixture ECG record and exits 0 on SIGTERM.
 */
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { packageVersion } from '../../src/package-version.js';
import { BUNDLE_MODEL, BUNDLE_WINDOWS, bundleInEmptyDir, deviceFiles, ecgFrames, runBundle, serveSession, type BundleDir } from '../helpers/device-bundle.js';
import { KERNELS, needs } from '../helpers/needs.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
/** The goal: everything a device needs (code and kernels) under 1 MB. */
const BUNDLE_BUDGET_BYTES = 1_000_000;
const T0 = 1_767_225_600_000;
const NODE = [process.execPath];

let b: BundleDir;

needs(KERNELS).describe('the device bundle, alone in an empty folder', () => {
  beforeAll(async () => {
    b = await bundleInEmptyDir();
  }, 60_000);
  afterAll(() => {
    if (b) for (const d of [b.dir, dirname(b.file)]) rmSync(d, { recursive: true, force: true });
  });

  it('is one file under the size budget, with nothing of the toolchain in it', () => {
    expect(deviceFiles(b.dir)).toEqual([BUNDLE_MODEL, BUNDLE_WINDOWS, 'wavegate.mjs'].sort());
    expect(b.bytes).toBeLessThan(BUNDLE_BUDGET_BYTES);
    const parts = b.byPackage.map(([k]) => k);
    expect(parts).toEqual(expect.arrayContaining(['mqtt', 'aedes', 'kernels (inlined .wasm)']));
    expect(parts.filter((k) => /^onnxruntime|^vega|^ws$|^socks$|^tools\/(?!bundle)/.test(k))).toEqual([]);
    // no node_modules the bundle could fall back on
    for (let d = b.dir; d !== dirname(d); d = dirname(d)) expect(existsSync(join(d, 'node_modules')), d).toBe(false);
  });

  it('--version and inspect', async () => {
    const v = await runBundle(NODE, b.dir, ['--version']);
    expect([v.code, v.stdout.trim()]).toEqual([0, packageVersion()]);
    const i = await runBundle(NODE, b.dir, ['inspect', BUNDLE_MODEL]);
    expect(i.code, i.stderr).toBe(0);
    expect(i.stdout).toMatch(/windowing\s+beat: 64 samples before the R peak/);
  });

  it('score: the same bytes as the source command line, on both kernel builds', async () => {
    for (const backend of ['simd', 'ref']) {
      const args = ['score', '--model', BUNDLE_MODEL, '--input', BUNDLE_WINDOWS, '--out', '-', '--backend', backend, '--no-progress'];
      const bundled = await runBundle(NODE, b.dir, args);
      expect(bundled.code, bundled.stderr).toBe(0);
      const inRoot = args.map((a) => (a === BUNDLE_MODEL || a === BUNDLE_WINDOWS ? join(b.dir, a) : a));
      const source = await run(process.execPath, ['--import', 'tsx', 'src/cli/device-main.ts', ...inRoot], { cwd: ROOT, maxBuffer: 1 << 24 });
      expect(bundled.stdout.split('\n').filter(Boolean)).toHaveLength(200);
      expect(bundled.stdout).toBe(source.stdout);
    }
  }, 60_000);

  it('serve: a minute of ECG through the embedded broker, scores and alerts out, exit 0 on SIGTERM', async () => {
    const r = await serveSession(NODE, b.dir, { frames: ecgFrames(T0) });
    expect(r.code, r.stderr).toBe(0);
    // the fixture record holds 72 beats in 60 s; beats at the very start lack the 64 samples before
    // their R peak, and the detector holds the last ones back until samples that never come
    expect(r.scores.length).toBeGreaterThanOrEqual(65);
    const first = JSON.parse(r.scores[0]) as { device: string; model: string; scores: number[] };
    expect(first).toMatchObject({ device: 'pi-1', stream: 'ecg', model: 'ecg-beat-gru-int8' });
    expect(first.scores).toHaveLength(3);
    expect(r.alerts.length).toBeGreaterThan(0);
  }, 120_000);
});
