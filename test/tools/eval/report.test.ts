/**
 * The evaluation report in a browser: `wavegate eval ... --report` on MIT-BIH (the INT8 demo model
 * beside its f32 twin, with training curves from a trainer-style metrics.jsonl) and on CWRU (an
 * anomaly model), each opened in headless Chromium (Debian's /usr/bin/chromium via playwright-core,
 * as test/portability/browser.test.ts does). Every chart must have rendered: an <svg> with a size
 * and with Vega marks inside; the page must load nothing but itself (self-contained, offline).
 *
 * Screenshots (full page) and the HTML are kept under out/test-artifacts/ at the repository root
 * (ignored by git): eval-report-mitdb.{html,png}, eval-report-cwru.{html,png}.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect } from 'vitest';
import { CWRU, file, KERNELS, MITDB, needs } from '../../helpers/needs.js';
import { CWRU_DIR, MITDB_DIR } from '../../helpers/shared-data.js';
import { writeBearingAnomaly } from './bearing-models.js';
import { evalCli } from './cli.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'out/test-artifacts');
const CHROMIUM = process.env.WAVEGATE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_INSTALLED = file(CHROMIUM, 'apt-get install chromium', 'WAVEGATE_REQUIRE_BROWSER');
const tmp = mkdtempSync(join(tmpdir(), 'wavegate-report-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface ChartCheck {
  id: string;
  width: number;
  height: number;
  /** Drawn elements inside Vega's mark groups (paths, rects, symbols, text). */
  marks: number;
}

/** Opens the report, checks what the page requested, measures each chart, keeps a screenshot. */
async function openReport(html: string, name: string): Promise<{ charts: ChartCheck[]; requests: string[]; tables: number }> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.html`);
  writeFileSync(path, html);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
    const charts = await page.evaluate(() => Array.from(document.querySelectorAll('figure.chart')).map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      const marks = svg ? svg.querySelectorAll('g.role-mark > path, g.role-mark > rect, g.role-mark > text, g.role-mark > g > path, g.role-mark > line').length : 0;
      return { id: f.getAttribute('data-chart') ?? '', width: box?.width ?? 0, height: box?.height ?? 0, marks };
    }));
    const tables = await page.evaluate(() => document.querySelectorAll('table tbody tr').length);
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    return { charts, requests: requests.filter((u) => u !== pathToFileURL(path).href), tables };
  } finally {
    await browser.close();
  }
}

function expectRendered(charts: ChartCheck[], ids: string[]): void {
  expect(charts.map((c) => c.id)).toEqual(ids);
  for (const c of charts) {
    expect(c.width, c.id).toBeGreaterThan(100);
    expect(c.height, c.id).toBeGreaterThan(100);
    expect(c.marks, c.id).toBeGreaterThan(0);
  }
}

function expectSelfContained(html: string): void {
  // No script, stylesheet link, image or frame; in-document references only (#anchors, url(#clip)).
  expect(html.match(/<(script|link|img|iframe)\b|@import/gi)).toBeNull();
  expect([...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]).filter((u) => !u.startsWith('#'))).toEqual([]);
  expect([...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]).filter((u) => !u.startsWith('#'))).toEqual([]);
  // The only absolute URLs are SVG namespace names, which are never fetched.
  expect([...new Set([...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]))].sort()).toEqual(['http://www.w3.org/1999/xlink', 'http://www.w3.org/2000/svg']);
}

describe('the evaluation report in headless Chromium', () => {
  needs(CHROMIUM_INSTALLED, MITDB, KERNELS).it('MIT-BIH: INT8 beside f32, training curves, every chart rendered', async () => {
    // A trainer-style metrics.jsonl (docs/training.md, "Monitoring"): step and epoch lines of two runs.
    const metrics = join(tmp, 'metrics.jsonl');
    const lines: object[] = [];
    for (const run of ['teacher', 'student-kd']) {
      for (let step = 1; step <= 60; step++) lines.push({ event: 'step', run, time: step, epoch: Math.ceil(step / 20), step, loss: 1.2 / Math.sqrt(step), lr: 1e-3 });
      for (let epoch = 1; epoch <= 3; epoch++) lines.push({ event: 'epoch', run, time: epoch * 20, epoch, step: epoch * 20, valLoss: 0.6 / epoch, valAccuracy: 0.8 + 0.04 * epoch, valMacroF1: 0.7 + 0.05 * epoch, improved: true });
    }
    writeFileSync(metrics, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const out = join(tmp, 'mitdb.html');
    const r = await evalCli('--model', `${ROOT}fixtures/models/ecg-beat-gru-int8.wgm`, '--compare', `${ROOT}fixtures/models/ecg-beat-gru.wgm`,
      '--mitdb', MITDB_DIR, '--records', '100,232', '--training', metrics, '--report', out);
    expect(r.code).toBeUndefined();
    expect(r.out).toMatch(/\nreport: .*mitdb\.html\n$/);
    const html = readFileSync(out, 'utf8');
    expectSelfContained(html);
    expect(html).toMatch(/<h3>ecg-beat-gru \(INT8\)<\/h3>/);
    expect(html).toMatch(/<th>ecg-beat-gru \(f32\)<\/th>/);
    const { charts, requests, tables } = await openReport(html, 'eval-report-mitdb');
    expect(requests).toEqual([]);
    expectRendered(charts, ['compare-classes', 'confusion-0', 'confusion-1', 'records', 'strip-100', 'strip-232', 'training-epochs', 'training-steps']);
    expect(tables).toBeGreaterThan(10);
  }, 180_000);

  needs(CHROMIUM_INSTALLED, CWRU, KERNELS).it('CWRU: an anomaly model with ROC curve and score histogram', async () => {
    const out = join(tmp, 'cwru.html');
    const r = await evalCli('--model', writeBearingAnomaly(tmp), '--cwru', CWRU_DIR, '--report', out);
    expect(r.code).toBeUndefined();
    const html = readFileSync(out, 'utf8');
    expectSelfContained(html);
    expect(html).toMatch(/training curves: the model&#39;s provenance names none/);
    const { charts, requests } = await openReport(html, 'eval-report-cwru');
    expect(requests).toEqual([]);
    expectRendered(charts, ['confusion-0', 'files', 'roc', 'scores']);
  }, 180_000);
});
