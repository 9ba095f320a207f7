/**
 * `wavegate import <model.onnx> --out <model.wgm> [--int8]` through commander, as the CLI runs it:
 * the written file loads with the device loader, the summary line is printed, and bad input
 * ends with one `wavegate: E_CODE: ...` line and exit status 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliRun } from '../../helpers/cli.js';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWgm } from '../../../src/model/load.js';
import { registerImport } from '../../../tools/cli/import.js';

const DIR = fileURLToPath(new URL('../../../fixtures/onnx/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'wavegate-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]): Promise<CliRun> => runCli(registerImport, ['import', ...args]);

describe('wavegate import', () => {
  it('writes a loadable f32 model and prints layers, params and bytes', async () => {
    const out = join(tmp, 'a.wgm');
    const r = await cli(DIR + 'lstm2_bi_mean_seqfirst.onnx', '--out', out);
    expect(r.err).toBe('');
    const bytes = readFileSync(out);
    const m = decodeWgm(bytes);
    expect(m.metadata.layers.map((l) => l.type)).toEqual(['lstm', 'lstm', 'pool', 'dense']);
    expect(r.out).toMatch(new RegExp(`4 layers .*lstm\\(3->13 bi\\).*, \\d+ params, ${bytes.length} bytes`));
  });

  it('--int8 writes I8 recurrent weights the loader accepts, and a smaller file', async () => {
    const f = join(tmp, 'f.wgm');
    const q = join(tmp, 'q.wgm');
    await cli(DIR + 'gru2_bi_hn_t1_sigmoid.onnx', '--out', f);
    const r = await cli(DIR + 'gru2_bi_hn_t1_sigmoid.onnx', '--out', q, '--int8');
    expect(r.out).toMatch(/int8/);
    const m = decodeWgm(readFileSync(q));
    expect(m.tensors.get('gru0.W')!.dtype).toBe('I8');
    expect(readFileSync(q).length).toBeLessThan(readFileSync(f).length * 0.5);
  });

  it('missing file -> E_NOT_FOUND, malformed -> E_ONNX_FORMAT, unsupported -> E_ONNX_UNSUPPORTED', async () => {
    const out = join(tmp, 'x.wgm');
    const missing = await cli(join(tmp, 'nope.onnx'), '--out', out);
    expect(missing.err).toMatch(/^wavegate: E_NOT_FOUND: .*nope\.onnx/);
    expect(missing.code).toBe(1);
    const bad = join(tmp, 'bad.onnx');
    writeFileSync(bad, 'definitely not protobuf \u0000\u00ff');
    expect((await cli(bad, '--out', out)).err).toMatch(/^wavegate: E_ONNX_FORMAT: /);
    const conv = await cli(DIR + 'conv_front_unsupported.onnx', '--out', out);
    expect(conv.err).toMatch(/^wavegate: E_ONNX_UNSUPPORTED: unsupported op Conv at node/);
    expect(conv.code).toBe(1);
  });
});
