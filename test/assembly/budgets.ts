/**
 * Named error budgets (ggml style) for the kernel tests. Integer paths have budget 0: they are
 * compared byte for byte.
 */

/** f32 reference kernel vs the float64 JS reference, max |diff| of any output or state. */
export const MAX_F32_REF_VS_F64 = 1e-5;
/** f32 SIMD kernel vs f32 reference kernel (only summation order differs). */
export const MAX_F32_SIMD_VS_REF = 1e-5;
/** f32 SIMD kernel vs float64 reference. */
export const MAX_F32_SIMD_VS_F64 = 1e-4;
/** sigmoid/tanh of assembly/math.ts vs Math, absolute. */
export const MAX_ACTIVATION_ERROR = 2.5e-7;
/** expf relative error. */
export const MAX_EXP_REL_ERROR = 3e-7;
/** dense, softmax, layer norm vs float64 JS. */
export const MAX_OPS_ERROR = 1e-5;
/**
 * INT8 hybrid vs f32 path on random weights (h in [-1, 1]): a loose sanity bound; the measured
 * figure is printed by the test.
 */
export const MAX_S8_VS_F32 = 0.05;
