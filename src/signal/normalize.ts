/**
 * Fixed normalisation: y = (x - mean) / std with statistics that travel in the model metadata
 * (a `normalize` preprocessing stage), computed once on the training set by the dataset tools.
 * Never per-window or running statistics: a device must scale exactly as training did.
 */
import { WavegateError } from '../errors.js';

export interface NormalizeParams {
  /** One value for all channels or one per channel. */
  mean: number | number[];
  std: number | number[];
}

export class Normalizer {
  readonly channels: number;
  private readonly mean: Float64Array;
  private readonly invStd: Float64Array;

  constructor(params: NormalizeParams, channels = 1) {
    const mean = Array.isArray(params.mean) ? params.mean : new Array<number>(channels).fill(params.mean);
    const std = Array.isArray(params.std) ? params.std : new Array<number>(channels).fill(params.std);
    if (mean.length !== channels || std.length !== channels) {
      throw new WavegateError('E_MODEL_FORMAT', `normalize stage: mean/std hold ${mean.length}/${std.length} values for ${channels} channels`);
    }
    mean.forEach((m, c) => {
      if (!Number.isFinite(m)) throw new WavegateError('E_MODEL_FORMAT', `normalize stage: mean[${c}] is ${m}`);
      if (!Number.isFinite(std[c]) || std[c] <= 0) throw new WavegateError('E_MODEL_FORMAT', `normalize stage: std[${c}] must be a finite number > 0, got ${std[c]}`);
    });
    this.channels = channels;
    this.mean = Float64Array.from(mean);
    this.invStd = Float64Array.from(std, (s) => 1 / s);
  }

  /** Normalises interleaved frames into `output` (default a new array; may be `input`). Stateless. */
  process(input: Float32Array, output: Float32Array = new Float32Array(input.length)): Float32Array {
    const c = this.channels;
    if (input.length % c !== 0) throw new WavegateError('E_INPUT', `normalize: ${input.length} values is not a multiple of ${c} channels`);
    for (let i = 0; i < input.length; i++) {
      const ch = i % c;
      output[i] = (input[i] - this.mean[ch]) * this.invStd[ch];
    }
    return output;
  }
}
