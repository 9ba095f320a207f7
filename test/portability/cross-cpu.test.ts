/**
 * "INT8 results bit-identical on every CPU", tested on three: the same models and inputs are scored
 * by this machine's Node (x64) and by arm64 and 32-bit ARM (armv7l) Node under qemu-user, each on
 * every kernel build it has; the SHA-256 of every output must match. qemu-user emulates ARM's
 * floating point as ARM defines it (its softfloat library, with a host-FPU fast path only where the
 * result is the same), and V8 generates ARM (NEON) code for the WASM, so this compares V8's x64 and
 * ARM code generators and ARM arithmetic as specified, not one engine twice. A real ARM core is not
 * in the loop.
 *
 * Needs `tools/portability/fetch-nodes.sh` and Debian's qemu-user plus the cross C libraries (the
 * script's header lists them; .ci/run installs them). Without them the test is skipped, unless
 * WAVEGATE_REQUIRE_ALL=1 (set by .ci/run) or the narrower WAVEGATE_REQUIRE_CROSS_CPU=1 turns their
 * absence into a failure (test/helpers/needs.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { needs, requirement } from '../helpers/needs.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = `${ROOT}dist/tools/portability/score-digests.js`;
const NODES = process.env.WAVEGATE_CROSS_NODES ?? `${ROOT}.cache/portability`;

interface Digests {
  platform: string;
  node: string;
  simd: boolean;
  relaxed: boolean;
  digests: Record<string, string>;
}

/**
 * arm64 Node 20 (no relaxed SIMD) and 32-bit ARM Node 20; arm64 Node 24 twice, for the relaxed
 * build: on qemu's default CPU (it has the dot-product extension, so V8 lowers the relaxed dot
 * to one `sdot`: the Raspberry Pi 5's Cortex-A76 case) and as a Cortex-A72 (no dot product:
 * V8's smull/smull2/addp/saddlp/add fallback, the Raspberry Pi 4 case).
 */
const TARGETS = [
  { name: 'arm64 Node 20', qemu: '/usr/bin/qemu-aarch64', cpu: [], sysroot: '/usr/aarch64-linux-gnu', node: `${NODES}/arm64/bin/node`, platform: 'linux-arm64', relaxed: false },
  { name: 'armv7l (32-bit ARM) Node 20', qemu: '/usr/bin/qemu-arm', cpu: [], sysroot: '/usr/arm-linux-gnueabihf', node: `${NODES}/armv7l/bin/node`, platform: 'linux-arm', relaxed: false },
  { name: 'arm64 Node 24, dot-product CPU (sdot; Raspberry Pi 5)', qemu: '/usr/bin/qemu-aarch64', cpu: [], sysroot: '/usr/aarch64-linux-gnu', node: `${NODES}/arm64-node24/bin/node`, platform: 'linux-arm64', relaxed: true },
  { name: 'arm64 Node 24, Cortex-A72 (no dot product; Raspberry Pi 4)', qemu: '/usr/bin/qemu-aarch64', cpu: ['-cpu', 'cortex-a72'], sysroot: '/usr/aarch64-linux-gnu', node: `${NODES}/arm64-node24/bin/node`, platform: 'linux-arm64', relaxed: true },
];

async function digests(cmd: string, args: string[]): Promise<Digests> {
  const { stdout } = await run(cmd, [...args, SCRIPT], { cwd: ROOT, maxBuffer: 1 << 20, timeout: 400_000 });
  return JSON.parse(stdout) as Digests;
}

/** The SIMD build's key for a relaxed build's key: the two must give the same bits (f32 and INT8). */
const asSimd = (k: string) => k.replace('/relaxed/', '/simd/');

const host = digests(process.execPath, []);

describe('the same bits on x64, arm64 and 32-bit ARM', () => {
  it('x64: INT8 models give the same bits on every kernel build, in window and stream mode', async () => {
    const h = await host;
    const int8 = Object.keys(h.digests).filter((k) => k.includes('int8') && k.includes('/simd/'));
    // 8 INT8 models in window mode (the demo model in format versions 4 and 3, six ONNX fixtures), the 5 forward-only ones also streaming.
    expect(int8.filter((k) => k.endsWith('/window'))).toHaveLength(8);
    expect(int8.filter((k) => k.endsWith('/stream'))).toHaveLength(5);
    for (const k of int8) expect(h.digests[k], k).toBe(h.digests[k.replace('/simd/', '/ref/')]);
    // The relaxed build where this Node runs it (Node >= 22): every digest equals the SIMD build's.
    const relaxed = Object.keys(h.digests).filter((k) => k.includes('/relaxed/'));
    expect(relaxed.length > 0).toBe(h.relaxed);
    for (const k of relaxed) expect(h.digests[k], k).toBe(h.digests[asSimd(k)]);
  }, 60_000);

  for (const t of TARGETS) {
    const installed = requirement(
      `${t.qemu}, ${t.node} and ${t.sysroot}/lib (run tools/portability/fetch-nodes.sh and install the Debian packages it lists)`,
      () => existsSync(t.qemu) && existsSync(t.node) && existsSync(`${t.sysroot}/lib`),
      'WAVEGATE_REQUIRE_CROSS_CPU',
    );
    needs(installed).it(`${t.name}: every digest equals x64's (f32 and INT8, every build, window and stream)`, async () => {
      const [h, arm] = await Promise.all([host, digests(t.qemu, [...t.cpu, '-L', t.sysroot, t.node])]);
      expect(arm.platform).toBe(t.platform);
      expect(arm.simd).toBe(true);
      expect(arm.relaxed).toBe(t.relaxed);
      // The ref and simd keys are the host's; a relaxed key (either side) is compared with the SIMD build's.
      const base = (d: Digests) => Object.keys(d.digests).filter((k) => !k.includes('/relaxed/')).sort();
      expect(base(arm)).toEqual(base(h));
      const keys = Object.keys(arm.digests);
      const differing = keys.filter((k) => arm.digests[k] !== h.digests[asSimd(k)]);
      console.log(`cross-cpu: ${t.name} (${arm.node}) vs x64 (${h.node}): ${keys.length - differing.length}/${keys.length} output digests equal`);
      expect(differing).toEqual([]);
    }, 600_000);
  }
});
