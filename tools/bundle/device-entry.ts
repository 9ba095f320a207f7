/**
 * Entry of the device bundle (`npm run bundle`, tools/bundle/device.ts): the kernels inlined, the
 * version fixed at build time, then the device command line (src/cli/device-main.ts: score,
 * inspect, qrs, serve). Only esbuild runs this file; `wavegate-device:kernels` and
 * WAVEGATE_BUNDLE_VERSION are what the build supplies (tools/bundle/kernels.d.ts types them).
 */
import { kernelRef, kernelSimd } from 'wavegate-device:kernels';
import { setPackageVersion } from '../../src/package-version.js';
import { setKernelLoader } from '../../src/runtime/backend.js';

setPackageVersion(WAVEGATE_BUNDLE_VERSION);
setKernelLoader((build) => (build === 'simd' ? kernelSimd : kernelRef));
await import('../../src/cli/device-main.js');
