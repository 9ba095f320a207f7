/**
 * The runtime in a browser: the portability cases (tools/portability) are scored in headless
 * Chromium (Debian's /usr/bin/chromium, driven by playwright-core) from an esbuild browser bundle
 * with the kernels fetched beside it, and every output digest must equal Node's. Chromium's V8 is
 * years newer than Node 20's, so this also checks that a later engine computes the same bits.
 *
 * Skipped where /usr/bin/chromium is absent, unless WAVEGATE_REQUIRE_ALL=1 (set by .ci/run) or the
 * narrower WAVEGATE_REQUIRE_BROWSER=1: test/helpers/needs.ts.
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect } from 'vitest';
import { file, needs } from '../helpers/needs.js';
import { buildCases, writeCases } from '../../tools/portability/score-digests.js';
import { scoreCases } from '../../tools/portability/score-cases.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.WAVEGATE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_INSTALLED = file(CHROMIUM, 'apt-get install chromium', 'WAVEGATE_REQUIRE_BROWSER');

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Serves `dir` on 127.0.0.1 (an ephemeral port): the page, its bundle, the kernels and the cases. */
function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(dir) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    resolve({ server, url: `http://127.0.0.1:${port}/index.html` });
  }));
}

const dir = mkdtempSync(join(tmpdir(), 'wavegate-browser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the runtime in a browser (headless Chromium)', () => {
  needs(CHROMIUM_INSTALLED).it('scores every portability case with the same output bits as Node', async () => {
    await build({
      entryPoints: [`${ROOT}tools/portability/browser-page.ts`],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      external: ['node:*'], // the runtime imports Node's modules lazily, on Node-only paths
      outfile: join(dir, 'page.js'),
      logLevel: 'error',
    });
    for (const b of ['relaxed', 'simd', 'ref']) copyFileSync(`${ROOT}build/kernel-${b}.wasm`, join(dir, `kernel-${b}.wasm`));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="page.js"></script>');
    const cases = buildCases();
    writeCases(cases, join(dir, 'cases'));
    const want = await scoreCases(cases);

    const { chromium } = await import('playwright-core');
    const { server, url } = await serve(dir);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForFunction(() => 'wavegateDigests' in globalThis || 'wavegateError' in globalThis, null, { timeout: 120_000 });
      const error = await page.evaluate(() => (globalThis as unknown as { wavegateError?: string }).wavegateError);
      expect(error, 'error in the page').toBeUndefined();
      const got = await page.evaluate(() => (globalThis as unknown as { wavegateDigests: { userAgent: string; simd: boolean; relaxed: { usable: boolean; reason: string }; digests: Record<string, string> } }).wavegateDigests);
      expect(got.simd).toBe(true);
      // Chromium ships relaxed SIMD (V8 >= 11.4): the relaxed build must run there, self-test passed.
      expect(got.relaxed).toMatchObject({ usable: true });
      const base = (d: Record<string, string>) => Object.keys(d).filter((k) => !k.includes('/relaxed/')).sort();
      expect(base(got.digests)).toEqual(base(want));
      // Relaxed keys (the page's, and Node's where Node runs the relaxed build) are compared with the SIMD build's.
      const keys = Object.keys(got.digests);
      const differing = keys.filter((k) => got.digests[k] !== want[k.replace('/relaxed/', '/simd/')]);
      console.log(`browser: ${got.userAgent.match(/(?:Headless)?Chrome\/[\d.]+/)?.[0] ?? got.userAgent}: ${keys.length - differing.length}/${keys.length} output digests equal to Node ${process.version}'s (relaxed build compared with simd)`);
      expect(differing).toEqual([]);
      for (const k of Object.keys(want).filter((x) => x.includes('/relaxed/'))) expect(got.digests[k], k).toBe(want[k]);
    } finally {
      await browser.close();
      server.close();
    }
  }, 240_000);
});
