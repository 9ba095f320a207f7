/**
 * The evaluation report's charts: Vega-Lite specifications compiled to Vega and rendered to SVG
 * strings in Node by Vega's own headless view (renderer "none", `toSVG()`), so the HTML carries
 * them inline and reads offline, with no script. Each builder takes plain rows and returns a spec;
 * `renderSvg` turns any spec into markup.
 *
 * Text is measured without a canvas (Vega's estimate), which is why labels use a plain sans-serif.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Colours of the AAMI classes and O (no beat) in every ECG chart. */
export const CLASS_COLORS: Record<string, string> = { N: '#4c78a8', S: '#f58518', V: '#e45756', F: '#b279a2', Q: '#9d755d', O: '#7f7f7f' };

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
};

/** Renders a Vega-Lite spec to an SVG string (inline markup, no XML prolog). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Confusion matrix heatmap: counts as colour (log-like scale) and as text; rows true, columns predicted. */
export function confusionSpec(rows: readonly string[], cols: readonly string[], matrix: readonly number[][], title: string, rowTitle = 'reference', colTitle = 'predicted'): TopLevelSpec {
  const values = matrix.flatMap((row, i) => row.map((count, j) => ({ ref: rows[i], pred: cols[j], count, share: count / Math.max(1, row.reduce((s, v) => s + v, 0)) })));
  const cell = Math.max(28, Math.min(48, Math.floor(420 / Math.max(rows.length, cols.length))));
  return {
    title,
    data: { values },
    width: cell * cols.length,
    height: cell * rows.length,
    encoding: {
      x: { field: 'pred', type: 'nominal', sort: [...cols], title: colTitle, axis: { orient: 'top', labelAngle: 0 } },
      y: { field: 'ref', type: 'nominal', sort: [...rows], title: rowTitle },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'share', type: 'quantitative', title: 'share of row', scale: { scheme: 'blues', domain: [0, 1] } } } },
      {
        mark: { type: 'text', fontSize: cell > 36 ? 11 : 9 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#222' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Grouped bars: one group per `group` value, one bar per `series`, value in %. */
export function groupedBarsSpec(rows: ReadonlyArray<{ group: string; series: string; value: number }>, title: string, groupTitle: string, groups?: readonly string[], seriesOrder?: readonly string[]): TopLevelSpec {
  const series = seriesOrder ? [...seriesOrder] : [...new Set(rows.map((r) => r.series))];
  const names = [...new Set(rows.map((r) => r.group))];
  const nGroups = names.length;
  const width = Math.max(240, Math.min(900, nGroups * Math.max(28, series.length * 10 + 10)));
  // Labels that would not fit side by side (about 7 px a character) are slanted.
  const slant = nGroups * Math.max(0, ...names.map((n) => n.length)) * 7 > width;
  return {
    title,
    data: { values: rows.map((r) => ({ ...r, value: Math.round(r.value * 1e4) / 1e2 })) },
    width,
    height: 200,
    mark: 'bar',
    encoding: {
      x: { field: 'group', type: 'nominal', title: groupTitle, sort: groups ? [...groups] : null, axis: { labelAngle: slant ? -40 : 0, labelLimit: 220 } },
      xOffset: { field: 'series', type: 'nominal', sort: series },
      y: { field: 'value', type: 'quantitative', title: '%', scale: { domain: [0, 100] } },
      color: { field: 'series', type: 'nominal', sort: series, title: null },
      tooltip: [{ field: 'group' }, { field: 'series' }, { field: 'value' }],
    },
  } as TopLevelSpec;
}

export interface StripBeat {
  /** Seconds from the strip's start. */
  t: number;
  /** Class label (AAMI or O). */
  cls: string;
  /** Which row: the reference annotation or the model's call. */
  row: 'reference' | 'predicted';
}

/** An ECG strip: each beat's reference and predicted class as coloured letters, above the signal as a line (one time axis). */
export function ecgStripSpec(samples: Float32Array, fs: number, beats: readonly StripBeat[], title: string, units = 'mV'): TopLevelSpec {
  // About two points per pixel column: 8 s at 360 Hz keep every sample, longer strips are thinned.
  const step = Math.max(1, Math.floor(samples.length / 1600));
  const signal: Array<{ t: number; v: number }> = [];
  for (let i = 0; i < samples.length; i += step) signal.push({ t: Math.round((i / fs) * 1e4) / 1e4, v: Math.round(samples[i] * 1e4) / 1e4 });
  const marks = beats.map((b) => ({ t: Math.round(b.t * 1e4) / 1e4, cls: b.cls, row: b.row === 'reference' ? 'reference' : 'model' }));
  const domain = Object.keys(CLASS_COLORS);
  const x = { field: 't', type: 'quantitative', scale: { domain: [0, samples.length / fs], nice: false } };
  return {
    title,
    vconcat: [
      {
        width: 860,
        height: 44,
        data: { values: marks },
        mark: { type: 'text', fontSize: 13, fontWeight: 'bold' },
        encoding: {
          x: { ...x, axis: null },
          y: { field: 'row', type: 'nominal', sort: ['reference', 'model'], title: null, axis: { domain: false, ticks: false } },
          text: { field: 'cls', type: 'nominal' },
          color: { field: 'cls', type: 'nominal', title: 'class', scale: { domain, range: domain.map((d) => CLASS_COLORS[d]) } },
        },
      },
      {
        width: 860,
        height: 170,
        data: { values: signal },
        mark: { type: 'line', strokeWidth: 1, color: '#333' },
        encoding: {
          x: { ...x, title: 'seconds' },
          y: { field: 'v', type: 'quantitative', title: units, scale: { zero: false } },
        },
      },
    ],
    spacing: 4,
    resolve: { scale: { x: 'shared' } },
  } as TopLevelSpec;
}

/** Line chart of metric values over epochs (or steps), one line per run, one panel per metric. */
export function curvesSpec(rows: ReadonlyArray<{ run: string; x: number; metric: string; value: number }>, title: string, xTitle: string): TopLevelSpec {
  const metrics = [...new Set(rows.map((r) => r.metric))];
  return {
    title,
    data: { values: [...rows] },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: metrics } },
    spec: {
      width: 260,
      height: 170,
      mark: { type: 'line', point: rows.length < 400 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xTitle, axis: { tickMinStep: 1, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
        color: { field: 'run', type: 'nominal', title: 'run' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/** ROC curve with the chance diagonal. */
export function rocSpec(points: ReadonlyArray<{ fpr: number; tpr: number }>, title: string): TopLevelSpec {
  return {
    title,
    width: 260,
    height: 260,
    layer: [
      { data: { values: [{ a: 0 }, { a: 1 }] }, mark: { type: 'line', strokeDash: [4, 4], color: '#aaa' }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'a', type: 'quantitative' } } },
      {
        data: { values: points.map((p) => ({ fpr: p.fpr, tpr: p.tpr })) },
        mark: { type: 'line', interpolate: 'step-after', color: '#e45756' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate', scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate', scale: { domain: [0, 1] } },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Histogram of anomaly scores by true class, with the threshold as a rule. */
export function scoreHistogramSpec(rows: ReadonlyArray<{ score: number; truth: string }>, threshold: number, title: string): TopLevelSpec {
  return {
    title,
    width: 420,
    height: 200,
    layer: [
      {
        data: { values: [...rows] },
        mark: { type: 'bar', opacity: 0.7 },
        encoding: {
          x: { field: 'score', type: 'quantitative', bin: { maxbins: 40 }, title: 'anomaly score' },
          y: { aggregate: 'count', type: 'quantitative', title: 'windows', stack: null },
          color: { field: 'truth', type: 'nominal', title: 'file class', scale: { domain: ['normal', 'anomaly'], range: ['#4c78a8', '#e45756'] } },
        },
      },
      { data: { values: [{ threshold }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#222' }, encoding: { x: { field: 'threshold', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}
