/**
 * `--preprocess` spec strings -> canonical preprocessing stages (src/model/stages.ts). Only a
 * command-line notation: the stages it returns are what the dataset records, the model carries
 * and the device runs (src/signal/pipeline.ts); nothing here filters anything.
 *
 * Comma separated, applied in order:
 *   none                               no stage
 *   bandpass:<low>-<high>[:<order>]    Butterworth band-pass, Hz, order per side (default 2)
 *   highpass:<cutoff>[:<order>]        Butterworth high-pass
 *   lowpass:<cutoff>[:<order>]         Butterworth low-pass
 *   baseline[:<s1>-<s2>]               two-median baseline removal, windows in s (default 0.2-0.6)
 *   decimate:<hz>                      integer-factor decimation to <hz>
 *   resample:<hz>                      polyphase resampling to <hz>
 *   normalize:<mean>:<std>             (x - mean) / std
 *   spectrum:<frame>:<hop>:<low>-<high>:<bands>[:<level>]
 *                                      log band energies of <frame>-sample frames every <hop> samples,
 *                                      <bands> bands from <low> to <high> Hz, level relative (default) or absolute
 */
import { WavegateError, isWavegateError } from '../../src/errors.js';
import { parseStages, type Stage } from '../../src/model/stages.js';

function number(text: string, part: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new WavegateError('E_ARGUMENT', `--preprocess ${part}: ${JSON.stringify(text)} is not a number`);
  return v;
}

function range(arg: string, part: string, what: string): [number, number] {
  const m = /^([^-]+)-(.+)$/.exec(arg);
  if (!m) throw new WavegateError('E_ARGUMENT', `--preprocess ${part}: expected ${what}`);
  return [number(m[1], part), number(m[2], part)];
}

function spectrumStage(part: string): Record<string, unknown> {
  const [, frame, hop, band, bands, level = 'relative', ...rest] = part.split(':');
  if (bands === undefined || rest.length > 0) throw new WavegateError('E_ARGUMENT', `--preprocess ${part}: expected spectrum:<frame>:<hop>:<low>-<high>:<bands>[:relative|absolute]`);
  const [low, high] = range(band, part, 'spectrum:<frame>:<hop>:<low>-<high>:<bands>[:level]');
  return { kind: 'spectrum', frame: number(frame, part), hop: number(hop, part), low, high, bands: number(bands, part), level };
}

/** Parses a `--preprocess` value into canonical stages (validated by the stage schema). */
export function parsePreprocessSpec(spec: string): Stage[] {
  const raw: Array<Record<string, unknown>> = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    if (part === 'none') continue;
    if (part.startsWith('spectrum:')) {
      raw.push(spectrumStage(part));
      continue;
    }
    const [kind, arg = '', third, ...rest] = part.split(':');
    if (rest.length > 0) throw new WavegateError('E_ARGUMENT', `--preprocess ${part}: too many ":" fields`);
    const order = third === undefined ? 2 : number(third, part);
    if (kind === 'bandpass') {
      const [low, high] = range(arg, part, 'bandpass:<low>-<high>[:order]');
      raw.push({ kind, low, high, order });
    } else if (kind === 'highpass' || kind === 'lowpass') {
      raw.push({ kind, cutoff: number(arg, part), order });
    } else if (kind === 'baseline') {
      raw.push({ kind, windows: arg === '' ? [0.2, 0.6] : range(arg, part, 'baseline[:<s1>-<s2>]') });
    } else if (kind === 'decimate' || kind === 'resample') {
      raw.push({ kind, to: number(arg, part) });
    } else if (kind === 'normalize') {
      if (third === undefined) throw new WavegateError('E_ARGUMENT', `--preprocess ${part}: expected normalize:<mean>:<std>`);
      raw.push({ kind, mean: number(arg, part), std: number(third, part) });
    } else {
      throw new WavegateError('E_ARGUMENT', `--preprocess ${part}: unknown stage ${JSON.stringify(kind)} (expected none, bandpass, highpass, lowpass, baseline, decimate, resample, normalize or spectrum)`);
    }
  }
  try {
    return parseStages(raw, { path: '--preprocess' });
  } catch (e) {
    if (isWavegateError(e)) throw new WavegateError('E_ARGUMENT', e.message.replace(/^--preprocess\[(\d+)\]/, (_, i: string) => `--preprocess stage ${Number(i) + 1}`), { cause: e });
    throw e;
  }
}
