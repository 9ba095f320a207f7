/**
 * CWRU bearing files to fault classes, and the time split of each recording.
 *
 * File names keep CWRU's conventions: `normal_<load>_<no>.mat` and
 * `<rate>k_Drive_End_<IR|B|OR><size in mils>[@<clock>]_<load>_<no>.mat`, e.g.
 * `12k_Drive_End_OR007@6_0_130.mat`. Variables inside are `X<no, 3 digits>_DE_time` etc.
 *
 * Split: every recording is cut by time into contiguous train / validation / test regions
 * (default 60/20/20 %, in that order). Windows are cut inside one region only, so no window
 * straddles two regions and no sample is shared between sets. (The staged data hold one
 * recording per class, so a split by recording is impossible; other loads are held back for
 * the independent cross-load evaluation the design asks for.)
 */
import { WavegateError } from '../errors.js';

export type BearingFault = 'normal' | 'inner' | 'ball' | 'outer';

/** 4-class task labels, in class-index order. */
export const CWRU_LABELS_4: readonly BearingFault[] = ['normal', 'inner', 'ball', 'outer'];

/** 10-class task labels (fault x size in mils), in class-index order. */
export const CWRU_LABELS_10: readonly string[] = ['normal', 'IR007', 'IR014', 'IR021', 'B007', 'B014', 'B021', 'OR007', 'OR014', 'OR021'];

const FAULT_CODE: Record<string, BearingFault> = { IR: 'inner', B: 'ball', OR: 'outer' };

export interface CwruFileInfo {
  fault: BearingFault;
  /** Fault diameter in inches (0 for normal). */
  size: 0 | 0.007 | 0.014 | 0.021;
  /** Motor load in hp (0..3). */
  load: number;
  /** CWRU file number, e.g. 105. */
  fileNumber: number;
  /** Variable name prefix inside the file, e.g. `X105`. */
  varPrefix: string;
  /** Sample rate in Hz: 12 kHz or 48 kHz from the name; the normal baselines are 48 kHz (Smith & Randall 2015). */
  fs: number;
  /** Outer-race fault position as a clock hour (`@6` = 6 o'clock), when the name gives one. */
  orPosition?: number;
  /** Index into CWRU_LABELS_10. */
  class10: number;
  /** Index into CWRU_LABELS_4. */
  class4: number;
}

/** Parses a CWRU file name (path allowed), or throws E_ARGUMENT naming it. */
export function cwruFileInfo(path: string): CwruFileInfo {
  const name = path.split(/[\\/]/).pop() ?? path;
  const normal = /^normal_(\d)_(\d+)\.mat$/i.exec(name);
  if (normal) {
    const fileNumber = Number(normal[2]);
    return { fault: 'normal', size: 0, load: Number(normal[1]), fileNumber, varPrefix: `X${String(fileNumber).padStart(3, '0')}`, fs: 48000, class10: 0, class4: 0 };
  }
  const m = /^(12|48)k_(?:Drive|Fan)_End_(IR|B|OR)(\d{3})(?:@(\d+))?_(\d)_(\d+)\.mat$/i.exec(name);
  if (!m) throw new WavegateError('E_ARGUMENT', `${name}: not a CWRU file name (expected normal_<load>_<no>.mat or 12k_Drive_End_<IR|B|OR><mils>[@pos]_<load>_<no>.mat)`);
  const code = m[2].toUpperCase();
  const mils = Number(m[3]);
  if (mils !== 7 && mils !== 14 && mils !== 21) throw new WavegateError('E_ARGUMENT', `${name}: fault size 0.${m[3]} in is outside the 10-class task (0.007, 0.014, 0.021)`);
  const fault = FAULT_CODE[code];
  const label10 = `${code}${m[3]}`;
  const fileNumber = Number(m[6]);
  return {
    fault,
    size: (mils / 1000) as CwruFileInfo['size'],
    load: Number(m[5]),
    fileNumber,
    varPrefix: `X${String(fileNumber).padStart(3, '0')}`,
    fs: Number(m[1]) * 1000,
    orPosition: m[4] !== undefined ? Number(m[4]) : undefined,
    class10: CWRU_LABELS_10.indexOf(label10),
    class4: CWRU_LABELS_4.indexOf(fault),
  };
}

export type TimeSplitName = 'train' | 'val' | 'test';
export const TIME_SPLITS: readonly TimeSplitName[] = ['train', 'val', 'test'];

export interface TimeSplitOptions {
  /** Fractions of each recording for train, val, test, in time order. Default [0.6, 0.2, 0.2]. */
  fractions?: readonly [number, number, number];
}

/** Half-open sample ranges [start, end) of the three regions of a recording of `length` samples. */
export function timeSplitRegions(length: number, options: TimeSplitOptions = {}): Record<TimeSplitName, [number, number]> {
  const f = options.fractions ?? [0.6, 0.2, 0.2];
  if (f.some((x) => !(x >= 0)) || Math.abs(f[0] + f[1] + f[2] - 1) > 1e-9) {
    throw new WavegateError('E_ARGUMENT', `time split fractions ${f.join('/')} must be non-negative and sum to 1`);
  }
  const a = Math.floor(length * f[0]);
  const b = Math.floor(length * (f[0] + f[1]));
  return { train: [0, a], val: [a, b], test: [b, length] };
}

/**
 * Start indices of the windows that lie wholly inside [start, end), among the windows a device
 * cuts from the whole recording (src/signal/chain.ts: `window` samples every `hop` samples from
 * sample 0), so a dataset's windows are device windows.
 */
export function windowStarts(region: readonly [number, number], window: number, hop: number): number[] {
  if (!(Number.isInteger(window) && window > 0) || !(Number.isInteger(hop) && hop > 0)) {
    throw new WavegateError('E_ARGUMENT', `window ${window} and hop ${hop} must be positive integers`);
  }
  const out: number[] = [];
  for (let s = Math.ceil(region[0] / hop) * hop; s + window <= region[1]; s += hop) out.push(s);
  return out;
}
