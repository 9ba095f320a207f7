/**
 * wavegate kernel exports (the ABI of docs/kernel-abi.md). Exports only: the implementations live
 * in kernels/ref (scalar reference) and kernels/simd (WASM SIMD; relaxed SIMD's 8-bit dot product
 * for INT8 in the relaxed build), chosen at compile time.
 */
import { ABI_VERSION } from "./abi";

export { reserve, reservedTop } from "./memory";
export {
  scratchBytes,
  packedBytesF32, packWeightsF32, packedBytesS8, packWeightsS8,
  lstmF32, gruF32, lstmS8, gruS8,
  denseF32, softmaxF32, sigmoidF32, tanhF32, layerNormF32,
  matvecS8S32,
  denseS8,
} from "./kernels/index";
export { selfTest } from "./kernels/selftest";
export { setRelaxedDotForm } from "./kernels/simd/dot";

/** ABI version (docs/kernel-abi.md). */
export function abiVersion(): i32 {
  return ABI_VERSION;
}

/** 1 in kernel-simd.wasm and kernel-relaxed.wasm, 0 in kernel-ref.wasm. */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

/** 1 in kernel-relaxed.wasm (INT8 mat-vec on i32x4.relaxed_dot_i8x16_i7x16_add_s), else 0. */
export function relaxedEnabled(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
