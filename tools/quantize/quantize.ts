/**
 * `wavegate quantize`: a trained float student (ONNX) and a calibration set -> one whole-model
 * INT8 file (format version 4) that describes itself and says how it was made.
 *
 *   1. checks, before any work: the ONNX graph imports (tools/onnx), the calibration set (and a
 *      --val set) describe a task and pipeline the graph and a --meta file agree with (check.ts,
 *      tools/describe), the output path can be written;
 *   2. splits the calibration windows (seeded): statistics windows and held-out windows;
 *   3. runs the float model over the statistics windows and collects the input of every INT8
 *      layer (collect.ts); each method of calibrate.ts proposes a scale;
 *   4. chooses per input by measured agreement with the float model on the held-out windows
 *      (select.ts), builds the INT8 model (build.ts), and measures it on the validation set;
 *   5. writes the file: weights, scales, the dataset's pipeline metadata, provenance (source
 *      model and calibration set digests, date, tool version, methods and their figures).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { WavegateError } from '../../src/errors.js';
import { sha256Hex } from '../../src/model/digest.js';
import type { WgmModel } from '../../src/model/schema.js';
import { int8ActivationQmax, int8ActivationScheme } from '../../src/model/tensors.js';
import { FORMAT_VERSION } from '../../src/model/schema.js';
import { encodeWgm } from '../../src/model/write.js';
import { packageVersion } from '../../src/package-version.js';
import { decodeDataset, type DatasetArrays } from '../datasets/dataset-file.js';
import { applyDescription, type DescriptionSources } from '../describe/apply.js';
import { parseDescriptionText } from '../describe/description.js';
import { describeDatasetFile, type DatasetFacts } from '../describe/from-dataset.js';
import { importOnnxFile } from '../onnx/import.js';
import { Rng } from '../synth/rng.js';
import { agreement, classFigures, modelOutputs, type Agreement, type ClassFigures } from './agreement.js';
import { checkSamePipeline, descriptionOf } from './check.js';
import { collectActivations, siteKey, type Windows } from './collect.js';
import { selectScales, type Selection } from './select.js';

export interface QuantizeOptions {
  /** Calibration dataset (.npz, dataset format 2). */
  calib: string;
  /** Validation dataset: the float-vs-INT8 report is measured there (default: the held-out calibration windows). */
  val?: string;
  /** JSON description (as `wavegate import --meta`); must agree with the calibration set where both say something. */
  meta?: string;
  /** Windows whose activations give the statistics (default CALIB_WINDOWS). */
  calibWindows?: number;
  /** Held-out calibration windows on which the methods are compared (default SELECT_WINDOWS). */
  selectWindows?: number;
  /**
   * Selection dataset: the methods are compared on its windows (at most selectWindows, a seeded
   * sample) instead of held-out calibration windows, e.g. the validation split: windows the model
   * was not trained on, where it is less sure and rounding moves more of them.
   */
  select?: string;
  /** Every dense layer INT8, even where the per-class check (select.ts) would keep one f32. */
  allInt8?: boolean;
  /** Seed of the window split and the statistics' reservoirs (default 1). */
  seed?: number;
  /** Creation time written to provenance (ISO 8601). */
  createdAt: string;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

/**
 * Statistics windows: each runs through the float64 reference (a few ms to ~0.2 s per window for
 * students up to H = 96 and T = 256); activation ranges settle within a few hundred windows
 * (TFLite suggests 100-500 representative samples), and a percentile of 2^18 kept values is exact
 * to ~0.2% of its tail.
 */
export const CALIB_WINDOWS = 256;
/** Held-out windows for the choice: 1000 resolve a 0.1-point difference in top-1 agreement, and each candidate runs them in the kernel in well under a second. */
export const SELECT_WINDOWS = 1000;

export interface QuantizeReport {
  selection: Selection;
  validation: { source: string; agreement: Agreement; classes?: ClassFigures[]; floatAccuracy?: number; int8Accuracy?: number };
  statsWindows: number;
  heldOutWindows: number;
  /** The --select set, where the methods were compared on it. */
  selectionSource?: string;
  activationBits: number;
  floatBytes: number;
  int8Bytes: number;
}

export interface QuantizeResult {
  model: WgmModel;
  bytes: Uint8Array;
  report: QuantizeReport;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `${path}: cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
}

function readDataset(path: string, flag: string): { arrays: DatasetArrays; facts: DatasetFacts; sha256: string } {
  const facts = describeDatasetFile(path);
  const bytes = readFileSync(path);
  const arrays = decodeDataset(bytes, path);
  if (arrays.n === 0) throw new WavegateError('E_INPUT', `${path} (${flag}): holds no windows`);
  return { arrays, facts, sha256: sha256Hex(bytes) };
}

const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
/** [top-1 agreement, mean |diff|] to 4 significant digits: the provenance's figures. */
const figures = (a: Agreement): [number, number] => [Number(a.top1.toPrecision(4)), Number(a.meanAbsDiff.toPrecision(4))];

/** Seeded shuffle of 0..n-1 (Fisher-Yates with the project's PRNG). */
function shuffled(n: number, seed: number): number[] {
  const rng = new Rng(seed);
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function windowsOf(d: DatasetArrays, featureCount: number, source: string): Windows {
  if (featureCount > 0 && !d.features) throw new WavegateError('E_INPUT', `${source}: the model takes ${featureCount} side feature(s) per window, and this dataset has no features array`);
  return { x: d.x, n: d.n, t: d.t, c: d.c, features: featureCount > 0 ? d.features : undefined };
}

/** Runs the whole quantization of an ONNX student; writes nothing (the caller writes `bytes`). */
export async function quantize(onnxPath: string, opts: QuantizeOptions): Promise<QuantizeResult> {
  return quantizeModel(importOnnxFile(onnxPath).model, onnxPath, opts);
}

/**
 * The same from a float model already in memory (an ONNX import, or a model built in code);
 * `source` names it in messages.
 */
export async function quantizeModel(imported: WgmModel, source: string, opts: QuantizeOptions): Promise<QuantizeResult> {
  const log = opts.log ?? (() => {});
  // 1. Everything that can be refused, before any work.
  const meta = opts.meta !== undefined ? { path: opts.meta, description: parseDescriptionText(readText(opts.meta, '--meta file'), opts.meta) } : undefined;
  const calib = readDataset(opts.calib, '--calib');
  const calibNamed = { name: `${opts.calib} (calibration set)`, description: calib.facts.description };
  if (meta) checkSamePipeline({ name: meta.path, description: meta.description }, calibNamed, 'the calibration set must come from the task and pipeline the model is described with');
  const sources: DescriptionSources = { onnx: source, dataset: { path: opts.calib, facts: calib.facts }, ...(meta ? { meta } : {}) };
  const described = applyDescription(imported, sources);
  const F = described.metadata.input.features?.names.length ?? 0;
  const calibW = windowsOf(calib.arrays, F, opts.calib);
  const modelNamed = { name: `the model (as ${opts.calib} describes it)`, description: descriptionOf(described.metadata) };
  /** A set of windows to measure on (--val, --select): the model's pipeline exactly, except that a fixed window's hop (which windows) may differ. */
  const measurementSet = (path: string, flag: string, role: string): { arrays: DatasetArrays; w: Windows; sha256: string } => {
    const v = readDataset(path, flag);
    const d = v.facts.description;
    const own = described.metadata.input.windowing;
    const win = d.input?.windowing;
    const sameButHop = own && win && own.mode === 'fixed' && win.mode === 'fixed' && own.window === win.window;
    const description = sameButHop ? { ...d, input: { ...d.input, windowing: own } } : d;
    checkSamePipeline(modelNamed, { name: `${path} (${role})`, description }, `${role.replace(/ set$/, '')} windows must be made exactly as the model's input is (the hop may differ)`, 'all');
    if (v.arrays.t !== calib.arrays.t || v.arrays.c !== calib.arrays.c) {
      throw new WavegateError('E_INPUT', `${path} (${role}): windows are [${v.arrays.t}, ${v.arrays.c}], the calibration set's [${calib.arrays.t}, ${calib.arrays.c}]`);
    }
    return { arrays: v.arrays, w: windowsOf(v.arrays, F, path), sha256: v.sha256 };
  };
  const val = opts.val === undefined ? undefined : measurementSet(opts.val, '--val', 'validation set');
  const sel = opts.select === undefined ? undefined : measurementSet(opts.select, '--select', 'selection set');
  const scheme = int8ActivationScheme(FORMAT_VERSION);
  const qmax = int8ActivationQmax(scheme);

  // 2. The split: held-out windows first (the choice needs them most), statistics from the rest.
  const seed = opts.seed ?? 1;
  const order = shuffled(calib.arrays.n, seed);
  // With a selection set, the calibration set gives statistics only, and the choice is measured on the other set.
  const nHeld = sel ? Math.min(opts.selectWindows ?? SELECT_WINDOWS, sel.arrays.n) : Math.min(opts.selectWindows ?? SELECT_WINDOWS, Math.floor(calib.arrays.n / 2));
  const calibHeld = sel ? 0 : nHeld;
  const nStats = Math.min(opts.calibWindows ?? CALIB_WINDOWS, calib.arrays.n - calibHeld);
  if (nHeld < 1 || nStats < 1) throw new WavegateError('E_INPUT', `${opts.select ?? opts.calib}: ${sel ? sel.arrays.n : calib.arrays.n} window(s) are too few to calibrate (statistics and held-out windows must both be non-empty)`);
  const heldOut = sel ? shuffled(sel.arrays.n, seed).slice(0, nHeld) : order.slice(0, nHeld);
  const statsIdx = order.slice(calibHeld, calibHeld + nStats);
  const selW = sel ? sel.w : calibW;
  const selY = sel ? sel.arrays.y : calib.arrays.y;

  // 3. Statistics on the float model.
  log(`calibration: ${nStats} windows through the float model (statistics), ${nHeld} held out (choice of method)`);
  const stats = collectActivations(described, calibW, statsIdx, seed, (done) => {
    if (done % 64 === 0 || done === nStats) log(`  statistics: ${done}/${nStats} windows`);
  });

  // 4. The choice, then the validation figures.
  const floatHeld = await modelOutputs(described, selW, heldOut);
  const selection = await selectScales(described, stats, selW, heldOut, floatHeld, qmax, (site, c) => {
    log(`  ${siteKey(site)} ${c.choice.method}: top-1 agreement ${(100 * c.agreement.top1).toFixed(2)} %, mean |diff| ${c.agreement.meanAbsDiff.toExponential(2)}`);
  }, { allInt8: opts.allInt8 });
  const size = described.metadata.output.size;
  let validation: QuantizeReport['validation'];
  if (val) {
    const all = Array.from({ length: val.arrays.n }, (_, i) => i);
    log(`validation: ${val.arrays.n} windows of ${opts.val}, float and INT8`);
    const fo = await modelOutputs(described, val.w, all);
    const qo = await modelOutputs(selection.model, val.w, all);
    const labels = described.metadata.labels ?? val.arrays.meta.labels;
    const y = Array.from(val.arrays.y, Number);
    const figures = labels && labels.length === size ? classFigures(fo, qo, size, y, labels) : undefined;
    validation = { source: opts.val!, agreement: agreement(fo, qo, size), ...(figures ?? {}) };
  } else {
    const fo = floatHeld;
    const qo = await modelOutputs(selection.model, selW, heldOut);
    const labels = described.metadata.labels;
    const y = heldOut.map((i) => Number(selY[i]));
    const figures = labels && labels.length === size ? classFigures(fo, qo, size, y, labels) : undefined;
    validation = { source: sel ? `${opts.select} (selection windows)` : `${opts.calib} (held-out windows)`, agreement: agreement(fo, qo, size), ...(figures ?? {}) };
  }

  // 5. The file.
  const calibMeta = calib.arrays.meta;
  const provenance = {
    ...selection.model.metadata.provenance,
    producer: `wavegate ${packageVersion()} quantize`,
    createdAt: opts.createdAt,
    calibrationSet: `${basename(opts.calib)} sha256:${calib.sha256}`,
    // Compact on purpose (it is part of every INT8 file): figures are [top-1 agreement, mean |diff|]
    // on the held-out windows; the rule and the methods are in docs/quantization.md.
    calibration: {
      split: calibMeta.split,
      windows: calib.arrays.n,
      statsWindows: nStats,
      heldOutWindows: nHeld,
      seed,
      activationBits: qmax === 63 ? 7 : 8,
      inputs: Object.fromEntries(selection.sites.map((s) => [siteKey(s.site), {
        chosen: s.chosen.method,
        ...Object.fromEntries(s.candidates.map((c) => [c.choice.method, figures(c.agreement)])),
      }])),
      heldOut: figures(selection.heldOut),
    },
    ...(sel ? { selectionSet: `${basename(opts.select!)} sha256:${sel.sha256}` } : {}),
    ...(val ? { validationSet: `${basename(opts.val!)} sha256:${val.sha256}` } : {}),
    metrics: metricsOf(validation),
  };
  const model: WgmModel = { metadata: { ...selection.model.metadata, provenance }, tensors: selection.model.tensors };
  const bytes = encodeWgm(model, { source: 'quantize' });
  const floatModel = { ...described, metadata: { ...described.metadata, provenance: { ...described.metadata.provenance, createdAt: opts.createdAt } } };
  const floatBytes = encodeWgm(floatModel, { source: 'quantize (float model)' }).length;
  return {
    model,
    bytes,
    report: { selection, validation, statsWindows: nStats, heldOutWindows: nHeld, ...(sel ? { selectionSource: opts.select } : {}), activationBits: qmax === 63 ? 7 : 8, floatBytes, int8Bytes: bytes.length },
  };
}

/** provenance.metrics: the validation figures (numbers only, as the schema has them). */
function metricsOf(v: QuantizeReport['validation']): Record<string, number> {
  const m: Record<string, number> = {
    top1Agreement: round6(v.agreement.top1),
    meanAbsDiff: round6(v.agreement.meanAbsDiff),
    maxAbsDiff: round6(v.agreement.maxAbsDiff),
    validationWindows: v.agreement.windows,
  };
  if (v.floatAccuracy !== undefined) m.floatAccuracy = round6(v.floatAccuracy);
  if (v.int8Accuracy !== undefined) m.int8Accuracy = round6(v.int8Accuracy);
  for (const c of v.classes ?? []) {
    if (c.floatSe !== null) m[`se.${c.label}.float`] = round6(c.floatSe);
    if (c.int8Se !== null) m[`se.${c.label}.int8`] = round6(c.int8Se);
  }
  return m;
}
