/**
 * Browser half of the portability check (bundled by test/portability/browser.test.ts): fetches
 * the cases that `score-digests.js --write-cases` wrote, scores them with the kernels served
 * beside the bundle (the runtime's default loader fetches them) and leaves the digests in
 * `globalThis.wavegateDigests` (or the error in `wavegateError`) for the test to read.
 */
import { hasWasmSimd, relaxedSupport } from '../../src/index.js';
import { scoreCases, type ScoreCase } from './score-cases.js';

interface CaseFile {
  key: string;
  model: string;
  windows: string;
  n: number;
  T: number;
}

const g = globalThis as unknown as { wavegateDigests?: unknown; wavegateError?: string };

async function bytes(path: string): Promise<ArrayBuffer> {
  const res = await fetch(`cases/${path}`);
  if (!res.ok) throw new Error(`cases/${path}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

async function main(): Promise<void> {
  const index = JSON.parse(new TextDecoder().decode(await bytes('cases.json'))) as CaseFile[];
  const cases: ScoreCase[] = await Promise.all(
    index.map(async (c) => ({ key: c.key, model: new Uint8Array(await bytes(c.model)), windows: new Float32Array(await bytes(c.windows)), n: c.n, T: c.T })),
  );
  g.wavegateDigests = { userAgent: navigator.userAgent, simd: hasWasmSimd(), relaxed: await relaxedSupport(), digests: await scoreCases(cases) };
}

main().catch((e: unknown) => {
  g.wavegateError = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
});
