/**
 * Status codes returned by every compute export (mirrored in src/runtime/abi.ts).
 * The host validates its arguments first, so any non-zero status is a host bug.
 */
export const OK: i32 = 0;
/** A size is <= 0 (or T < 0), or a size product would overflow the 32-bit address space. */
export const BAD_DIMS: i32 = 1;
/** A required pointer is 0. */
export const BAD_POINTER: i32 = 2;
/** An enum-like argument is out of range, or a scale is negative or NaN. */
export const BAD_ARGUMENT: i32 = 3;
