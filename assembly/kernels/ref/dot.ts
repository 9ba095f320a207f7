/** Plain scalar dot products used by every reference kernel (the ground truth). */

/** sum_k a[k] * b[k] over f32, accumulated left to right onto `init`. */
// @ts-ignore: decorator
@inline export function dotF32(a: usize, b: usize, n: i32, init: f32): f32 {
  let acc = init;
  for (let k = 0; k < n; k++) {
    acc += load<f32>(a + (<usize>k << 2)) * load<f32>(b + (<usize>k << 2));
  }
  return acc;
}

/** Exact sum_k w[k] * q[k] with w int8 and q int32 activations already in [-127, 127]. */
// @ts-ignore: decorator
@inline export function dotS8S32(w: usize, q: usize, n: i32): i32 {
  let acc: i32 = 0;
  for (let k = 0; k < n; k++) {
    acc += <i32>load<i8>(w + <usize>k) * load<i32>(q + (<usize>k << 2));
  }
  return acc;
}
