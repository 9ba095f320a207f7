/**
 * Entry of the device bundle (`npm run bundle`, tools/bundle/device.ts): the kernels inlined, the
 * version fixed at build time, then the device command line (src/cli/device-main.ts: score,
 * inspect, qrs, serve). Only esbuild runs this file; `wavegate-device:kernels` and
 * WAVEGATE_BUNDLE_VERSION are what the build supplies (tools/bundle/kernels.d.ts types them).
 */
import { createRequire } from 'node:module';
import { kernelRef, kernelRelaxed, kernelSimd } from 'wavegate-device:kernels';
import { setPackageVersion } from '../../src/package-version.js';
import { setKernelLoader } from '../../src/runtime/backend.js';

// The file readers fetch node:fs with process.getBuiltinModule (Node >= 20.16, src/io/node-fs.ts);
// older Node 20 builds, such as the last official armv7l package on npm (20.11), lack it.
const proc = process as { getBuiltinModule?: (id: string) => unknown };
if (typeof proc.getBuiltinModule !== 'function') {
  const require = createRequire(import.meta.url);
  proc.getBuiltinModule = (id: string) => require(id) as unknown;
}
setPackageVersion(WAVEGATE_BUNDLE_VERSION);
setKernelLoader((build) => (build === 'relaxed' ? kernelRelaxed : build === 'simd' ? kernelSimd : kernelRef));
await import('../../src/cli/device-main.js');
