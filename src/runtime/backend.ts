/**
 * Picks and loads the kernel build (tract's linalg "plug" idea: one interface, chosen at load):
 * build/kernel-relaxed.wasm where the engine accepts relaxed SIMD and computes its 8-bit dot
 * product right (relaxedSupport below), else build/kernel-simd.wasm where it supports WASM SIMD,
 * else build/kernel-ref.wasm. All three give the same INT8 bits (docs/kernel-abi.md), so the
 * choice changes speed only.
 *
 * Each .wasm file is compiled once per process (the WebAssembly.Module is cached); each session
 * instantiates its own instance, so sessions never share memory or state.
 *
 * Instantiation goes through @assemblyscript/loader for its `env.abort`/`env.trace` shims,
 * which decode the kernel's AssemblyScript strings into readable errors. Compute calls go to
 * the raw `instance.exports` functions, not the loader's demangled wrappers: those wrap every
 * export in a rest/spread closure (`(...args) => elem(...args)`) that only class exports need.
 * Measured on Node 20 (x86-64, shared CI-class machine): ~35 ns per raw call vs ~95 ns through
 * the wrapper; a push() makes 3-10 kernel calls, so the raw exports save ~0.5 us per call.
 * (The current kernel imports nothing, so the shims are a safety net for debug builds.)
 *
 * Where the .wasm bytes come from: `setKernelLoader` (any host: a browser fetches them, a bundle
 * may inline them); else, under Node, the files on disk (`setKernelDir`, WAVEGATE_KERNEL_DIR or the
 * package's build/ folder); else, in a browser, `kernel-<build>.wasm` beside this module, fetched.
 * Node's fs is imported lazily, so this module loads in a browser.
 */
import { instantiate as instantiateAsync, instantiateSync } from '@assemblyscript/loader';
import { WavegateError } from '../errors.js';
import { ABI_VERSION, REQUIRED_EXPORTS, type KernelExports } from './abi.js';
import type { BackendChoice } from './options.js';

export type KernelBuild = 'relaxed' | 'simd' | 'ref';

/**
 * Smallest module using a v128 instruction: `(func (result v128) i32.const 0 i8x16.splat
 * i8x16.popcnt)`, as the wasm-feature-detect project probes it. Validation compiles nothing.
 */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

let simdSupported: boolean | undefined;

/** True when this engine validates WASM SIMD (128-bit) code. */
export function hasWasmSimd(): boolean {
  simdSupported ??= WebAssembly.validate(SIMD_PROBE);
  return simdSupported;
}

/**
 * `(func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2
 * i32x4.relaxed_dot_i8x16_i7x16_add_s)`: validates where the engine accepts relaxed SIMD.
 */
const RELAXED_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 253, 147, 2, 11]);

/** True when this engine validates relaxed SIMD's i32x4.relaxed_dot_i8x16_i7x16_add_s (it may still compute it wrongly). */
export function hasRelaxedSimd(): boolean {
  return hasWasmSimd() && WebAssembly.validate(RELAXED_PROBE);
}

/**
 * Why this engine is known to compute the relaxed dot product wrongly, or undefined. V8 before
 * 11.4 (Node 20 and older, where relaxed SIMD needs --experimental-wasm-relaxed-simd; Chrome
 * before 114) gives wrong i32x4.relaxed_dot_i8x16_i7x16_add_s results in its baseline compiler
 * (Liftoff): measured on Node 20.20.2 (V8 11.3), 799,999 of 800,000 lanes wrong with the second
 * operand in 0..127, none with --no-liftoff. A load-time self-test runs in the baseline tier, but
 * code tiered up later would not be re-checked, so such engines are refused by version as well.
 */
export function knownBadRelaxedEngine(): string | undefined {
  const v8 = typeof process !== 'undefined' ? process.versions?.v8 : undefined;
  const chrome = typeof navigator !== 'undefined' ? /Chrom(?:e|ium)\/(\d+)/.exec(navigator.userAgent ?? '') : null;
  if (v8) {
    const [major, minor] = v8.split('.').map(Number);
    if (major < 11 || (major === 11 && minor < 4)) return `V8 ${v8} (Node ${process.version}) computes the relaxed dot product wrongly in its baseline tier`;
  } else if (chrome && Number(chrome[1]) < 114) {
    return `Chrome ${chrome[1]} (V8 before 11.4) computes the relaxed dot product wrongly in its baseline tier`;
  }
  return undefined;
}

/** Whether kernel-relaxed.wasm may run here, and why not. */
export interface RelaxedSupport {
  usable: boolean;
  /** Why not (or, when usable, what was checked). */
  reason: string;
}

let relaxedVerdict: Promise<RelaxedSupport> | undefined;

/**
 * Whether kernel-relaxed.wasm may run on this engine: it must validate relaxed SIMD, must not be
 * a known-bad engine (knownBadRelaxedEngine), and the build's `selfTest()` (a known-answer INT8
 * mat-vec of both activation schemes, assembly/kernels/selftest.ts) must return 0 wrong rows when
 * the kernel loads. Checked once per process (again after setKernelDir / setKernelLoader).
 */
export function relaxedSupport(): Promise<RelaxedSupport> {
  relaxedVerdict ??= (async (): Promise<RelaxedSupport> => {
    if (!hasRelaxedSimd()) return { usable: false, reason: 'this engine does not accept WebAssembly relaxed SIMD' };
    const bad = knownBadRelaxedEngine();
    if (bad) return { usable: false, reason: bad };
    let wrong: number;
    try {
      const { instance } = await instantiateAs(await kernelModule('relaxed'));
      wrong = (instance.exports as unknown as KernelExports).selfTest();
    } catch (e) {
      return { usable: false, reason: `kernel-relaxed.wasm cannot be loaded (${(e as Error).message})` };
    }
    if (wrong !== 0) return { usable: false, reason: `the relaxed dot product self-test failed (${wrong} of 60 row checks wrong)` };
    return { usable: true, reason: 'relaxed SIMD validated and its self-test passed' };
  })();
  return relaxedVerdict;
}

let dotForm: Promise<0 | 1> | undefined;

/**
 * How kernel-relaxed.wasm computes its relaxed dots for 7-bit activations (`setRelaxedDotForm`,
 * assembly/kernels/simd/dot.ts; both forms give the same bits, this is speed only): 1 on x86 CPUs
 * without AVX-VNNI, where V8 lowers i32x4.relaxed_dot_i8x16_i7x16_add_s to five instructions and
 * the i16x8 form plus a pairwise add is faster (AMD EPYC Zen 4, Node 24: 54.7 against 44.6 GMAC/s);
 * 0 elsewhere (one vpdpbusd with AVX-VNNI, one sdot on arm64 with the dot-product extension) and
 * wherever the CPU's flags cannot be read (browsers; Node off Linux). Read once from
 * /proc/cpuinfo; WAVEGATE_RELAXED_DOT=0 or 1 overrides (for benchmarks).
 */
export function relaxedDotForm(): Promise<0 | 1> {
  dotForm ??= (async (): Promise<0 | 1> => {
    if (!isNode) return 0;
    const forced = process.env.WAVEGATE_RELAXED_DOT;
    if (forced === '0' || forced === '1') return forced === '1' ? 1 : 0;
    if (process.arch !== 'x64' && process.arch !== 'ia32') return 0;
    try {
      const { readFile } = await import('node:fs/promises');
      const flags = /^flags\s*:\s*(.*)$/m.exec(await readFile('/proc/cpuinfo', 'utf8'))?.[1]?.split(/\s+/);
      if (!flags) return 0;
      return flags.includes('avx_vnni') || flags.includes('avx_vnni_int8') ? 0 : 1;
    } catch {
      return 0;
    }
  })();
  return dotForm;
}

/** What `auto` needs to know about the model a kernel will run. */
export interface BuildHints {
  /** The model has INT8 layers of format versions 1-3 (8-bit activations, QS_A8). */
  a8Int8?: boolean;
}

/**
 * Resolves a backend choice to a build: `auto` is relaxed where relaxedSupport() allows it, else
 * simd where the engine has WASM SIMD, else ref; except that a model with INT8 layers of format
 * versions 1-3 (hints.a8Int8) runs on simd where relaxedDotForm() is 1 (x86 without AVX-VNNI):
 * there the relaxed build's two-plane route for 8-bit activations is 1.56x slower than the SIMD
 * build (AMD EPYC Zen 4, Node 24: 1250 against 800 ns per LSTM stream-step, assembly/README.md),
 * for the same bits. `relaxed` and `simd` are refused (E_ARGUMENT, with the reason) where they
 * cannot run.
 */
export async function chooseBuild(choice: BackendChoice, hints: BuildHints = {}): Promise<KernelBuild> {
  if (choice === 'ref') return 'ref';
  if (choice === 'simd' || choice === 'relaxed') {
    if (!hasWasmSimd()) throw new WavegateError('E_ARGUMENT', `backend "${choice}" requested but this engine does not support WebAssembly SIMD; use "auto" or "ref"`);
    if (choice === 'simd') return 'simd';
    const r = await relaxedSupport();
    if (!r.usable) throw new WavegateError('E_ARGUMENT', `backend "relaxed" requested but ${r.reason}; use "auto" or "simd"`);
    return 'relaxed';
  }
  if (!hasWasmSimd()) return 'ref';
  if (!(await relaxedSupport()).usable) return 'simd';
  return hints.a8Int8 && (await relaxedDotForm()) === 1 ? 'simd' : 'relaxed';
}

let kernelDirOverride: string | undefined;

/** Bytes (or a compiled module) of one kernel build; see setKernelLoader. */
export type KernelLoader = (build: KernelBuild) => Promise<BufferSource | WebAssembly.Module> | BufferSource | WebAssembly.Module;

let kernelLoader: KernelLoader | undefined;

/**
 * Sets the folder holding kernel-relaxed.wasm / kernel-simd.wasm / kernel-ref.wasm (for bundles that ship the .wasm
 * files beside them). Default: the environment variable WAVEGATE_KERNEL_DIR, else the first of
 * the package's `build/` folders found relative to this module (source tree, dist/ or bundle).
 */
export function setKernelDir(dir: string | undefined): void {
  kernelDirOverride = dir;
  modules.clear();
  relaxedVerdict = undefined;
}

/**
 * Sets where kernel builds come from, for hosts without a file system, e.g. in a browser:
 * `setKernelLoader((b) => fetch(`/wasm/kernel-${b}.wasm`).then((r) => r.arrayBuffer()))`.
 * `undefined` restores the default (files under Node, a fetch beside this module in a browser).
 */
export function setKernelLoader(loader: KernelLoader | undefined): void {
  kernelLoader = loader;
  modules.clear();
  relaxedVerdict = undefined;
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * Instantiates a compiled kernel through the loader. Under Node synchronously: the loader's async
 * `instantiate` first tests `source instanceof Response`, and touching the `Response` global makes
 * Node load its fetch implementation (undici), ~25 ms of a model's first load measured here; a
 * compiled Module needs none of it, and Node has no main-thread limit on synchronous instantiation
 * (browsers may have one, so they keep the async call).
 */
async function instantiateAs(module: WebAssembly.Module): Promise<{ instance: WebAssembly.Instance }> {
  return isNode ? instantiateSync(module, {}) : instantiateAsync(module, {});
}

async function kernelPath(build: KernelBuild): Promise<string> {
  const { existsSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const file = `kernel-${build}.wasm`;
  const dir = kernelDirOverride ?? process.env.WAVEGATE_KERNEL_DIR;
  if (dir) return `${dir.replace(/\/$/, '')}/${file}`;
  const candidates = ['../../build/', '../../../build/', './build/', './', '../build/'].map((rel) => fileURLToPath(new URL(rel + file, import.meta.url)));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new WavegateError('E_NOT_FOUND', `kernel ${file} not found (looked in ${candidates.join(', ')}); run \`npm run build:wasm\` or set WAVEGATE_KERNEL_DIR`);
  }
  return found;
}

/** The default source: the file under Node, a fetch beside this module elsewhere. Returns bytes and a name for errors. */
async function defaultKernelBytes(build: KernelBuild): Promise<{ bytes: BufferSource; where: string }> {
  if (!isNode) {
    const url = new URL(`kernel-${build}.wasm`, import.meta.url).href;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new WavegateError('E_NOT_FOUND', `kernel ${url} cannot be fetched (${(e as Error).message}); serve it beside the bundle or call setKernelLoader()`, { cause: e });
    }
    if (!res.ok) throw new WavegateError('E_NOT_FOUND', `kernel ${url}: HTTP ${res.status}; serve it beside the bundle or call setKernelLoader()`);
    return { bytes: await res.arrayBuffer(), where: url };
  }
  const path = await kernelPath(build);
  const { readFile } = await import('node:fs/promises');
  try {
    return { bytes: new Uint8Array(await readFile(path)), where: path }; // a plain ArrayBuffer-backed copy (BufferSource)
  } catch (e) {
    throw new WavegateError('E_NOT_FOUND', `kernel ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); run \`npm run build:wasm\` or fix WAVEGATE_KERNEL_DIR`, { cause: e });
  }
}

const modules = new Map<KernelBuild, Promise<WebAssembly.Module>>();

/** The compiled kernel module for a build, compiled once per process. */
export function kernelModule(build: KernelBuild): Promise<WebAssembly.Module> {
  let m = modules.get(build);
  if (!m) {
    m = (async () => {
      let source: { bytes: BufferSource; where: string };
      if (kernelLoader) {
        let got: BufferSource | WebAssembly.Module;
        try {
          got = await kernelLoader(build);
        } catch (e) {
          throw new WavegateError('E_NOT_FOUND', `kernel loader failed for kernel-${build}.wasm (${(e as Error).message})`, { cause: e });
        }
        if (got instanceof WebAssembly.Module) return got;
        source = { bytes: got, where: `kernel-${build}.wasm (from setKernelLoader)` };
      } else source = await defaultKernelBytes(build);
      try {
        return await WebAssembly.compile(source.bytes);
      } catch (e) {
        throw new WavegateError('E_KERNEL', `${source.where}: cannot compile kernel (${(e as Error).message})`, { cause: e });
      }
    })();
    m.catch(() => modules.delete(build)); // a failed load may be fixed (file built later): do not cache it
    modules.set(build, m);
  }
  return m;
}

/** A fresh kernel instance with its own memory. */
export interface KernelInstance {
  build: KernelBuild;
  exports: KernelExports;
}

/** Instantiates the chosen build and checks its ABI version and exports. */
export async function instantiateKernel(choice: BackendChoice, hints: BuildHints = {}): Promise<KernelInstance> {
  const build = await chooseBuild(choice, hints);
  const module = await kernelModule(build);
  const { instance } = await instantiateAs(module);
  const raw = instance.exports as unknown as KernelExports;
  for (const name of REQUIRED_EXPORTS) {
    if (!(name in raw)) throw new WavegateError('E_KERNEL', `kernel-${build}.wasm lacks the export "${name}" (stale build? run \`npm run build:wasm\`)`);
  }
  const v = raw.abiVersion();
  if (v !== ABI_VERSION) throw new WavegateError('E_KERNEL', `kernel-${build}.wasm speaks ABI ${v}, this host speaks ${ABI_VERSION}; rebuild with \`npm run build:wasm\``);
  if (raw.simdEnabled() !== (build === 'ref' ? 0 : 1) || raw.relaxedEnabled() !== (build === 'relaxed' ? 1 : 0)) {
    throw new WavegateError('E_KERNEL', `kernel-${build}.wasm reports simdEnabled() = ${raw.simdEnabled()}, relaxedEnabled() = ${raw.relaxedEnabled()}`);
  }
  if (build === 'relaxed') raw.setRelaxedDotForm(await relaxedDotForm());
  return { build, exports: raw };
}
