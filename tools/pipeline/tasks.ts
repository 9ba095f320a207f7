/**
 * The three default-model tasks of `npm run pipeline` as data: where the data comes from, the
 * dataset commands, the recipes, the evaluation, the model's name and description. `--synthetic`
 * swaps the staged data for synthetic records in the same formats and the recipes for the `tiny`
 * one (the CI test of the steps, minutes instead of an hour).
 */
import { join } from 'node:path';
import { DS2_STAGED } from '../../src/labels/splits.js';

export type TaskName = 'ecg' | 'bearing' | 'bearing-anomaly';
export const TASKS: readonly TaskName[] = ['ecg', 'bearing', 'bearing-anomaly'];

/**
 * Side features of the ECG model: de Chazal's RR intervals and ratios to the patient's own rhythm.
 * (The beat-shape features templateCorr, templateAmp, templateDiff were tried on 2026-12-06 and
 * lowered the held-out DS1 validation figures: docs/models.md.)
 */
export const ECG_FEATURES = [
  'preRR', 'postRR', 'localRR', 'averageRR', 'preRR/localRR', 'postRR/localRR',
  'preRR/averageRR', 'postRR/averageRR', 'localRR/averageRR', 'postRR/preRR',
];
/** MIT-BIH at 360 Hz: 0.5-40 Hz band-pass, then 120 Hz into the network (the QRS detector needs 100 Hz or more); beat windows 0.25 s before and 0.47 s after the R peak. */
export const ECG_INPUT = ['--preprocess', 'bandpass:0.5-40:2,decimate:120', '--before', '30', '--after', '56', '--peaks', 'detector', '--features', ECG_FEATURES.join(',')];
/** CWRU: the 48 kHz normal baseline decimated to 12 kHz (the fault files pass), scaled by 1/0.1 g so the network sees unit-size samples (bearing-anomaly). */
export const CWRU_INPUT = ['--task', '10class', '--window', '1024', '--preprocess', 'decimate:12000,normalize:0:0.1'];
/**
 * bearing-fault: the spectrum stage (docs/signals.md): 256-sample Hann frames every 128 samples at
 * 12 kHz, 32 log band energies from 0 to 6 kHz relative to each frame's mean (a gain on the signal
 * cancels); windows of 7 frames (1024 samples, as before), every 2 frames (256 samples) in
 * training, 4 in validation. On the validation regions GRUs over these frames reached 100 % in
 * a few epochs where GRUs over the raw samples stopped at 98-99 % (docs/models.md).
 */
export const CWRU_FAULT_INPUT = ['--task', '10class', '--window', '7', '--preprocess', 'decimate:12000,spectrum:256:128:0-6000:32:relative'];

export interface DatasetSpec {
  /** File name in the work folder. */
  file: string;
  /** `wavegate` arguments before `--out` (the data folder already substituted). */
  args: string[];
}

export interface TaskSpec {
  task: TaskName;
  /** models/<name>.wgm */
  name: string;
  description: string;
  /** The training set, its validation set (else the recipe holds out records) and the synthetic faults of outlier exposure. The test data is read by `wavegate eval` itself (evalArgs). */
  datasets: { train: DatasetSpec; val?: DatasetSpec; synth?: DatasetSpec };
  teacherRecipe: string;
  studentRecipe: string;
  /** Recipe overrides (--set) for both runs. */
  overrides: string[];
  /**
   * `wavegate eval` arguments: the held-out test data as the command reads it (the staged DS2
   * records; the test region, the last 20 %, of each CWRU recording).
   */
  evalArgs: string[];
  /** One-class anomaly model: outlier exposure and threshold calibration steps. */
  anomaly: boolean;
  /** Detector defaults written at import (anomaly models get theirs from calibration). */
  detector?: Record<string, unknown>;
  /** Labels of the model when they differ from the training dataset's. */
  labels?: string[];
}

/**
 * --synthetic: the records step writes MIT-BIH-like and CWRU-like files (tools/synth/records.ts)
 * into <work>/synthetic-data, and the same dataset and eval commands as on the staged data read
 * them: these records, shorter windows, the tiny recipe (the CI test of the steps).
 */
export const SYNTHETIC_ECG_RECORDS = { train: ['101', '106', '108', '109', '112', '114'], test: ['200', '210', '213'] };
const synthBearing = (seed: number, count: number): string[] => ['dataset', 'synth', '--kind', 'bearing', '--seed', String(seed), '--count', String(count), '--seconds', '1', '--window', '256', '--hop', '256'];
/** The tiny recipe, as fast as it goes: what the CI test of the pipeline runs. */
const TINY = ['--set', 'teacher.train.epochs=2', '--set', 'student.train.epochs=2', '--set', 'student.distill.baseline=false', '--set', 'dataset.maxWindows=256'];

export function taskSpec(task: TaskName, data: string, synthetic: boolean): TaskSpec {
  const mitdb = `mitdb:${join(data, 'mitdb')}`;
  const cwru = `cwru:${join(data, 'cwru')}`;
  if (task === 'ecg') {
    return {
      task, name: 'ecg-arrhythmia', anomaly: false,
      description: 'AAMI beat classes N, S, V, F, Q of the MLII lead: GRU-64 on 0.72 s beat windows at 120 Hz around the device QRS detector\'s R peaks, with 10 RR features (intervals and ratios to the patient\'s own rhythm); trained on MIT-BIH DS1 (inter-patient). Not a medical device.',
      datasets: {
        train: { file: 'ds1.npz', args: ['dataset', 'build', '--source', mitdb, '--split', synthetic ? SYNTHETIC_ECG_RECORDS.train.join(',') : 'DS1', ...ECG_INPUT] },
      },
      teacherRecipe: synthetic ? 'tiny' : 'ecg-rr-teacher',
      studentRecipe: synthetic ? 'tiny' : 'ecg-rr-student',
      overrides: synthetic ? [...TINY, '--set', 'dataset.valFraction=0.34'] : [],
      evalArgs: ['--mitdb', join(data, 'mitdb'), '--records', (synthetic ? SYNTHETIC_ECG_RECORDS.test : DS2_STAGED).join(',')],
      detector: { normalLabels: ['N'], thresholds: { S: 0.5, V: 0.5, F: 0.5 }, minDuration: 1, window: 1, hysteresis: 1, cooldown: 10 },
    };
  }
  // Synthetic: the four CWRU-like files (normal and one 0.007 in fault of each kind), 256-sample windows, 4 classes.
  // Hops in frames at the model rate: samples for CWRU_INPUT, spectrum frames for CWRU_FAULT_INPUT (7-frame windows are short enough for the synthetic files).
  const cwruData = (input: string[], hops: [number, number]) => {
    const cwruInput = synthetic ? [...input.map((a) => (a === '10class' ? '4class' : a === '1024' ? '256' : a))] : input;
    const scale = synthetic && input.includes('1024') ? 4 : 1;
    const cwruSplit = (split: string, hop: number): string[] => ['dataset', 'build', '--source', cwru, '--split', split, ...cwruInput, '--hop', String(hop / scale)];
    return { train: { file: 'cwru-train.npz', args: cwruSplit('train', hops[0]) }, val: { file: 'cwru-val.npz', args: cwruSplit('val', hops[1]) } };
  };
  const bearingData = cwruData(CWRU_INPUT, [256, 512]);
  /** `wavegate eval --cwru` scores the test region (the last 20 %) of every file: never trained on. */
  const cwruEval = ['--cwru', join(data, 'cwru'), '--region', 'test'];
  if (task === 'bearing') {
    return {
      task, name: 'bearing-fault', anomaly: false,
      description: 'CWRU drive-end bearing condition, 10 classes (normal; inner race, ball, outer race @6:00 at 0.007, 0.014, 0.021 in): GRU over 32 log band energies (0-6 kHz, relative to each frame) of 256-sample frames every 128 samples of the drive-end accelerometer at 12 kHz, 7 frames (1024 samples) a window; trained on the first 60 % of each 0 hp recording.',
      datasets: cwruData(CWRU_FAULT_INPUT, [2, 4]),
      teacherRecipe: synthetic ? 'tiny' : 'bearing-teacher',
      studentRecipe: synthetic ? 'tiny' : 'bearing-student',
      overrides: synthetic ? TINY : [],
      evalArgs: cwruEval,
      detector: { normalLabels: ['normal'], threshold: 0.5, minDuration: 3, window: 5, hysteresis: 5, cooldown: 60 },
    };
  }
  return {
    task, name: 'bearing-anomaly', anomaly: true, labels: ['normal', 'anomaly'],
    description: 'Bearing anomaly score in [0, 1] (output "anomaly") for the CWRU drive-end accelerometer at 12 kHz, 1024-sample windows: trained on normal vibration only, against synthetic faults (outlier exposure); alert threshold calibrated on normal validation data.',
    datasets: { ...bearingData, synth: { file: 'synth-faults.npz', args: synthetic ? synthBearing(4, 4) : ['dataset', 'synth', '--kind', 'bearing', '--seed', '7', '--count', '24', '--seconds', '2', '--window', '1024', '--hop', '512'] } },
    teacherRecipe: synthetic ? 'tiny' : 'bearing-anomaly-teacher',
    studentRecipe: synthetic ? 'tiny' : 'bearing-anomaly-student',
    overrides: synthetic ? TINY : [],
    evalArgs: cwruEval,
  };
}
