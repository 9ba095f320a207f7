/**
 * The onnxruntime oracle cannot pass without onnxruntime: runs onnx-oracle.test.ts in a child
 * vitest with the runtime's module name pointed at a package that does not exist
 * (WAVEGATE_TEST_ORT_MODULE) and expects the run to fail, naming onnxruntime-node.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('onnxruntime oracle without onnxruntime', () => {
  it('fails (exit code 1) and says that onnxruntime-node cannot be imported', () => {
    // A clean environment for the child: none of this worker's VITEST_* variables.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
    env.WAVEGATE_TEST_ORT_MODULE = 'onnxruntime-node-absent-on-purpose';
    const child = spawnSync(process.execPath, [ROOT + 'node_modules/vitest/vitest.mjs', 'run', 'test/integration/onnx-oracle.test.ts'], {
      cwd: ROOT, env, encoding: 'utf8', timeout: 100_000,
    });
    const out = `${child.stdout}\n${child.stderr}`;
    expect(child.status, out).toBe(1);
    expect(out).toMatch(/onnxruntime-node cannot be imported \(Cannot find package 'onnxruntime-node-absent-on-purpose'/);
    expect(out).not.toMatch(/Tests\s+\S*\d+ passed/);
  });
});
