/** What tools/bundle/device.ts supplies to tools/bundle/device-entry.ts at build time. */
declare module 'wavegate-device:kernels' {
  /** build/kernel-simd.wasm, build/kernel-ref.wasm and build/kernel-relaxed.wasm, inlined. */
  export const kernelSimd: Uint8Array;
  export const kernelRef: Uint8Array;
  export const kernelRelaxed: Uint8Array;
}

/** package.json's version, fixed in the bundle. */
declare const WAVEGATE_BUNDLE_VERSION: string;
