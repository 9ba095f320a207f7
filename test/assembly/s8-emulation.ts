/**
 * Independent bit-exact JS emulation of the INT8 hybrid kernels (docs/kernel-abi.md,
 * assembly/README.md "Determinism rules"): every f32 operation is a float64 operation rounded
 * with Math.fround, which is exactly the correctly rounded f32 result for + - * / (the double
 * rounding is innocuous at these precisions). It checks the scalar reference kernel itself,
 * so a wrong scale order or rounding rule cannot hide by being wrong in both builds.
 * Constants are repeated from assembly/math.ts on purpose (a second, independent reading).
 */
import type { RnnCase, QuantWeights } from './rnn-runner.js';

const f = Math.fround;
const EXP_LOG2E = f(1.44269504088896341);
const EXP_C1 = f(0.693359375);
const EXP_C2 = f(-2.1219444e-4);
const EXP_HI = f(88.3762626647949);
const EXP_LO = f(-87.3365447505531);
const EXP_P = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1].map(f);
const POW2_MAGIC = f(12582912);
const POW2_TMIN = f(-126);
const POW2_TMAX = f(126);
const POW2_Q = [0.6931469775880092, 0.24022242074640154, 0.05550733756842124, 0.009671513244540426, 0.0013264724229714027].map(f);
const SIG_K = f(-1.44269504088896341);
const TANH_K = f(2.88539008177792681);
const INV127 = f(1 / 127);

const clampLo = (x: number, lo: number) => (x < lo ? lo : x);
const clampHi = (x: number, hi: number) => (hi < x ? hi : x);

export function expf(x: number): number {
  x = clampHi(clampLo(x, EXP_LO), EXP_HI);
  const n = Math.floor(f(f(x * EXP_LOG2E) + 0.5));
  let r = f(x - f(n * EXP_C1));
  r = f(r - f(n * EXP_C2));
  const z = f(r * r);
  let p = f(f(EXP_P[0] * r) + EXP_P[1]);
  for (let i = 2; i < 6; i++) p = f(f(p * r) + EXP_P[i]);
  const y = f(f(f(p * z) + r) + 1);
  return f(y * 2 ** n);
}

/** [f q(f), 2^n] of the activation exponential 2^t, t = clamp(x * k) (assembly/math.ts). */
function pow2Parts(x: number, k: number): [number, number] {
  const t = clampHi(k > 0 ? f(x * k) : clampLo(f(x * k), POW2_TMIN), POW2_TMAX);
  const nb = f(t + POW2_MAGIC);
  const n = f(nb - POW2_MAGIC); // an integer in [-126, 126]
  const fr = f(t - n);
  const f2 = f(fr * fr);
  const a = f(POW2_Q[0] + f(POW2_Q[1] * fr));
  const b = f(POW2_Q[2] + f(POW2_Q[3] * fr));
  const q = f(a + f(f2 * f(b + f(POW2_Q[4] * f2))));
  return [f(fr * q), 2 ** n];
}

export function sigmoidf(x: number): number {
  const [fq, s] = pow2Parts(x, SIG_K);
  return f(1 / f(f(1 + s) + f(fq * s)));
}

export function tanhf(x: number): number {
  const [fq, s] = pow2Parts(Math.abs(x), TANH_K);
  const m = f(f(fq * s) + f(s - 1));
  const r = f(m / f(m + 2));
  return x < 0 || Object.is(x, -0) ? -r : r;
}

/** The ABI's activation rounding: half away from zero, exact; clamp to +-qmax (127, or 63 in QS_A7); NaN -> 0. */
export function quantize(v: number, qmax = 127): number {
  if (Number.isNaN(v)) return 0;
  const t = Math.trunc(v);
  let r = Math.abs(v - t) >= 0.5 ? t + Math.sign(v) : t;
  r = clampHi(clampLo(r, -qmax), qmax);
  return r;
}

/** f32(max|v| / qmax) with the select-max: the kernel's dynamic scale. */
export function dynamicScale(v: ArrayLike<number>, qmax: number): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = clampLo(m, Math.abs(v[i]));
  return f(m / qmax);
}

/**
 * A vector quantized as the scheme quantizes h (docs/kernel-abi.md) and its scale: QS_A8 (0)
 * q = round(h * 127), scale f32(1/127); QS_A7 (1) the dynamic scale s = max|h| / 63,
 * q = round(h / s).
 */
export function quantizeH(v: ArrayLike<number>, scheme: 0 | 1): { q: Int32Array; scale: number } {
  if (scheme === 0) return { q: Int32Array.from(v, (x) => quantize(f(x * 127))), scale: INV127 };
  const scale = dynamicScale(v, 63);
  return { q: Int32Array.from(v, (x) => quantize(f(x / scale), 63)), scale };
}

/** Runs the INT8 path of `cs` (whole sequence, state in h/c updated in place); returns y [T][batch][H]. */
export function emulateS8(cs: RnnCase, q: QuantWeights, xScale: number, scheme: 0 | 1 = 0): { y: Float32Array; h: Float32Array; c?: Float32Array } {
  const qmax = scheme === 1 ? 63 : 127;
  const { I, H, batch, T } = cs;
  const G = cs.cell === 'lstm' ? 4 : 3;
  const h = Float32Array.from(cs.h0);
  const c = cs.c0 ? Float32Array.from(cs.c0) : undefined;
  const y = new Float32Array(T * batch * H);
  const acc = (Wq: Int8Array, cols: number, row: number, v: Int32Array) => {
    let s = 0;
    for (let k = 0; k < cols; k++) s += Wq[row * cols + k] * v[k];
    return s;
  };
  const xs = f(xScale);
  for (let s = 0; s < T; s++) {
    const t = cs.reverse ? T - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const x = cs.x.subarray((t * batch + b) * I, (t * batch + b + 1) * I);
      const hv = h.subarray(b * H, (b + 1) * H);
      const sx = xs > 0 ? xs : dynamicScale(x, qmax);
      const xq = Int32Array.from(x, (v) => quantize(f(v / sx), qmax));
      const { q: hq, scale: sh } = quantizeH(hv, scheme);
      const wPart = (r: number) => f(f(acc(q.Wq, I, r, xq)) * f(q.Ws[r] * sx));
      const rPart = (r: number, v: Int32Array, s = sh) => f(f(acc(q.Rq, H, r, v)) * f(q.Rs[r] * s));
      if (cs.cell === 'lstm') {
        const pre = new Float32Array(G * H);
        for (let r = 0; r < G * H; r++) pre[r] = f(f(wPart(r) + rPart(r, hq)) + cs.B![r]);
        // Peepholes (ONNX P: i, o, f): pre + f32(P * c), with the previous c for i and f, the new one for o.
        const P = cs.P;
        for (let j = 0; j < H; j++) {
          const cp = c![b * H + j];
          const pi = P ? f(pre[j] + f(P[j] * cp)) : pre[j];
          const pf = P ? f(pre[2 * H + j] + f(P[2 * H + j] * cp)) : pre[2 * H + j];
          const cn = f(f(sigmoidf(pf) * cp) + f(sigmoidf(pi) * tanhf(pre[3 * H + j])));
          c![b * H + j] = cn;
          const po = P ? f(pre[H + j] + f(P[H + j] * cn)) : pre[H + j];
          hv[j] = f(sigmoidf(po) * tanhf(cn));
        }
      } else {
        const xw = new Float32Array(3 * H);
        const hr = new Float32Array(3 * H);
        for (let r = 0; r < 3 * H; r++) {
          xw[r] = f(wPart(r) + cs.Wb![r]);
          hr[r] = f(rPart(r, hq) + cs.Rb![r]);
        }
        if ((cs.lbr ?? 1) === 0) {
          // r * h in f32, quantized like h (its own dynamic scale in QS_A7).
          const rh = Float32Array.from(hv, (v, j) => f(sigmoidf(f(xw[H + j] + hr[H + j])) * v));
          const { q: rq, scale: srh } = quantizeH(rh, scheme);
          for (let j = 0; j < H; j++) hr[2 * H + j] = f(rPart(2 * H + j, rq, srh) + cs.Rb![2 * H + j]);
        }
        const hn = new Float32Array(H);
        for (let j = 0; j < H; j++) {
          const z = sigmoidf(f(xw[j] + hr[j]));
          let n: number;
          if ((cs.lbr ?? 1) === 1) {
            const r = sigmoidf(f(xw[H + j] + hr[H + j]));
            n = tanhf(f(xw[2 * H + j] + f(r * hr[2 * H + j])));
          } else {
            n = tanhf(f(xw[2 * H + j] + hr[2 * H + j]));
          }
          hn[j] = f(f(f(1 - z) * n) + f(z * hv[j]));
        }
        hv.set(hn);
      }
      y.set(hv, (t * batch + b) * H);
    }
  }
  return { y, h, c };
}
