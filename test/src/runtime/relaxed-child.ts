/**
 * Run by test/src/runtime/relaxed-engines.test.ts in a child Node process (with whatever V8
 * flags the test passes): prints one JSON line with what this engine says about the relaxed
 * build, the self-test's own count of wrong rows (run directly, bypassing the version refusal),
 * and the build `auto` and a session pick.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chooseBuild, hasRelaxedSimd, knownBadRelaxedEngine, relaxedSupport } from '../../../src/runtime/backend.js';
import { loadModel } from '../../../src/runtime/model.js';

const wasm = readFileSync(fileURLToPath(new URL('../../../build/kernel-relaxed.wasm', import.meta.url)));
let selfTestWrong: number | string;
try {
  const { instance } = await WebAssembly.instantiate(wasm, {});
  selfTestWrong = (instance.exports as { selfTest(): number }).selfTest();
} catch (e) {
  selfTestWrong = `cannot instantiate: ${(e as Error).message}`;
}
const model = await loadModel(fileURLToPath(new URL('../../../fixtures/models/ecg-beat-gru-int8.wgm', import.meta.url)));
const session = await model.createSession();
process.stdout.write(
  `${JSON.stringify({
    node: process.version,
    v8: process.versions.v8,
    hasRelaxedSimd: hasRelaxedSimd(),
    knownBad: knownBadRelaxedEngine() ?? null,
    selfTestWrong,
    support: await relaxedSupport(),
    auto: await chooseBuild('auto'),
    session: session.backend,
  })}\n`,
);
model.dispose();
