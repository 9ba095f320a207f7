/**
 * INT8 files of format versions 1-3 give the outputs they gave before version 4 changed the INT8
 * activation scheme (7-bit activations, per-step h scale; docs/model-format.md): the digests of
 * fixtures/models/legacy/*.wgm's outputs on the committed beat windows, window mode and streaming,
 * recorded with the runtime of commit f78062b (fixtures/models/legacy/int8-outputs.json,
 * tools/fixtures/legacy-int8-outputs.ts), equal today's on every build this engine runs (the
 * relaxed build takes QS_A8 layers through its two-plane route, kernels/simd/quant.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as runtime from '../../../src/index.js';
import { loadWgm } from '../../../src/model/load.js';
import { LEGACY_OUTPUTS, LEGACY_DIR, legacyDigests, legacyFiles } from '../../../tools/fixtures/legacy-int8-outputs.js';
import { BACKENDS } from '../runtime/helpers.js';
import { KERNELS, needs } from '../../helpers/needs.js';

const recorded = JSON.parse(readFileSync(LEGACY_OUTPUTS, 'utf8')) as { digests: Record<string, { run: string; push: string }> };

describe('INT8 files of format versions 1-3 keep their outputs', () => {
  it('the recorded digests cover every legacy file, one of each version before 4', async () => {
    expect(Object.keys(recorded.digests).sort()).toEqual(legacyFiles());
    const versions = await Promise.all(legacyFiles().map(async (f) => (await loadWgm(`${LEGACY_DIR}/${f}`)).metadata.formatVersion));
    expect(versions.sort()).toEqual([1, 2, 3]);
  });

  for (const file of legacyFiles()) {
    needs(KERNELS).it(`${file}: run() and push() outputs equal the recorded ones on ${BACKENDS.join(', ')}`, async () => {
      for (const backend of BACKENDS) {
        expect(await legacyDigests(runtime, file, backend), `${file} on ${backend}`).toEqual(recorded.digests[file]);
      }
    });
  }
});
