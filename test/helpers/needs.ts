/**
 * The one gate for tests that need something outside the repository: a Python package, the real
 * data sets, the built kernels, Chromium, the ARM Node builds, a broker binary.
 *
 *   needs(NUMPY).describe('interoperates with numpy', () => { ... });
 *   needs(MITDB, TORCH).it('trains on DS1', async () => { ... }, 60_000);
 *
 * Where everything is present, these are vitest's `describe` and `it`. Where something is
 * missing, the suite or test is replaced by one skipped test named `needs <what>` (so the
 * report says what was skipped and why), and a line is printed once per requirement. Under
 * WAVEGATE_REQUIRE_ALL=1 (set by .ci/run) it is replaced by a failing test instead: CI cannot
 * pass by skipping. Two narrower switches from before are kept: WAVEGATE_REQUIRE_BROWSER and
 * WAVEGATE_REQUIRE_CROSS_CPU make just their own requirement mandatory.
 *
 * test/hygiene.test.ts fails on any other way of skipping (skipIf, runIf, .skip, ctx.skip), so
 * every conditional test goes through here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestFunction } from 'vitest';
import { CWRU_DIR, DATA_DIR, HAS_CWRU, HAS_MITDB, MITDB_DIR } from './shared-data.js';

/** Debian's Python, the one the trainer, the fixture generators and CI use (WAVEGATE_PYTHON overrides). */
export const PYTHON = process.env.WAVEGATE_PYTHON ?? '/usr/bin/python3';

/** True under WAVEGATE_REQUIRE_ALL=1: every missing requirement fails instead of skipping. */
export const REQUIRE_ALL = process.env.WAVEGATE_REQUIRE_ALL === '1';

export interface Requirement {
  /** What is needed and how to get it, e.g. "/usr/bin/python3 with numpy (apt-get install python3-numpy)". */
  readonly what: string;
  /** True when it is there; probed on first use, once per process. */
  readonly present: boolean;
  /** A narrower environment switch that also makes this one mandatory (besides WAVEGATE_REQUIRE_ALL). */
  readonly switchName?: string;
}

/** A requirement whose probe runs lazily (a test file that never asks does not pay for it). */
export function requirement(what: string, probe: () => boolean, switchName?: string): Requirement {
  let cached: boolean | undefined;
  return {
    what,
    switchName,
    get present(): boolean {
      cached ??= probe();
      return cached;
    },
  };
}

/** `/usr/bin/python3` able to import every module named (Debian package python3-<top-level name>). */
export function python(...modules: string[]): Requirement {
  const packages = [...new Set(modules.map((m) => `python3-${m.split('.')[0]}`))].join(' ');
  return requirement(
    `${PYTHON} with ${modules.join(', ')} (apt-get install ${packages})`,
    () => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' }).status === 0,
  );
}

/** An executable on PATH, from the named Debian package. */
export function command(name: string, debianPackage: string): Requirement {
  return requirement(`${name} on PATH (apt-get install ${debianPackage})`, () => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0);
}

/** A file or folder that must exist; `how` says what makes it. */
export function file(path: string, how: string, switchName?: string): Requirement {
  return requirement(`${path} (${how})`, () => existsSync(path), switchName);
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const NUMPY = python('numpy');
export const SCIPY = python('numpy', 'scipy.io');
export const TORCH = python('torch', 'numpy');
export const ONNX = python('onnx', 'numpy');
export const MITDB = requirement(`the MIT-BIH records under ${MITDB_DIR} (set WAVEGATE_DATA; now ${DATA_DIR})`, () => HAS_MITDB);
export const CWRU = requirement(`the CWRU .mat files under ${CWRU_DIR} (set WAVEGATE_DATA; now ${DATA_DIR})`, () => HAS_CWRU);
/** The MQTT host's tests: a broker to talk to, its command-line clients, and openssl for TLS test certificates (Debian's mosquitto lives in /usr/sbin). */
export const MOSQUITTO = requirement('mosquitto on PATH or in /usr/sbin (apt-get install mosquitto)', () => existsSync('/usr/sbin/mosquitto') || command('mosquitto', 'mosquitto').present);
export const MOSQUITTO_CLIENTS = command('mosquitto_pub', 'mosquitto-clients');
export const OPENSSL = command('openssl', 'openssl');
export const KERNELS = requirement(
  `${ROOT}build/kernel-{ref,simd}.wasm (npm run build:wasm)`,
  () => existsSync(`${ROOT}build/kernel-ref.wasm`) && existsSync(`${ROOT}build/kernel-simd.wasm`),
);

/** True when a missing `r` must fail rather than skip. */
export function isRequired(r: Requirement): boolean {
  return REQUIRE_ALL || (r.switchName !== undefined && process.env[r.switchName] === '1');
}

export interface Gate {
  /** vitest's describe when every requirement is present. */
  describe(name: string, fn: () => void): void;
  /** vitest's it when every requirement is present. */
  it(name: string, fn: TestFunction, timeout?: number): void;
  /** True when every requirement is present (for code that must not run while collecting otherwise). */
  readonly ok: boolean;
}

const warned = new Set<string>();

/** Gates a suite or a test on `requirements`; see the file comment. */
export function needs(...requirements: Requirement[]): Gate {
  const missing = requirements.filter((r) => !r.present);
  if (missing.length === 0) return { describe: (name, fn) => describe(name, fn), it: (name, fn, timeout) => it(name, fn, timeout), ok: true };
  const what = missing.map((r) => r.what).join('; ');
  const required = missing.some(isRequired);
  const placeholder = (): void => {
    if (required) {
      it(`needs ${what}`, () => {
        throw new Error(`missing ${what}; WAVEGATE_REQUIRE_ALL=1 (or the test's own switch) turns a skip into this failure`);
      });
    } else {
      it.skip(`needs ${what}`, () => {});
    }
  };
  if (!required && !warned.has(what)) {
    warned.add(what);
    console.warn(`[wavegate tests] skipping what needs ${what}`);
  }
  return {
    describe: (name) => describe(name, placeholder),
    it: (name) => describe(name, placeholder),
    ok: false,
  };
}
