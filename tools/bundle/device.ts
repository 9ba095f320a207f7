/**
 * `npm run bundle`: the device bundle, one file that runs with plain `node` (>= 20) and no
 * node_modules: dist/device/wavegate.mjs, an esbuild ESM bundle of the device command line
 * (score, inspect, qrs, serve) with both WebAssembly kernels inlined (tools/bundle/device-entry.ts).
 * docs/deploy-raspberry-pi.md says how to install it; BENCHMARKS.md gives its size.
 *
 * What it carries and what it leaves out, and why:
 * - mqtt.js, and aedes for the embedded broker (52 KiB with its dependencies): a gateway with no broker of its own
 *   can run `wavegate serve` alone, as the README's demo does; a gateway on mosquitto never loads it.
 * - Not carried: the workstation toolchain (tools/: import, dataset, eval, simulate), onnxruntime,
 *   vega; mqtt.js's WebSocket and SOCKS transports and its browser worker timers (stubbed below:
 *   a device speaks mqtt:// or mqtts://). The build fails if any of them slips in.
 * - mqtt.js and its stream libraries are CommonJS: in an ESM bundle their `require` of Node's
 *   built-ins needs a real `require`, hence the createRequire banner.
 *
 *   npx tsx tools/bundle/device.ts [--out dist/device] [--json]
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Inputs that must never reach the device bundle (path fragments of esbuild's metafile). */
const FORBIDDEN = [/node_modules\/onnxruntime/, /node_modules\/vega/, /node_modules\/ws\//, /node_modules\/socks\//, /(^|\/)tools\/(?!bundle\/)/];

/** Stubs for what a device never uses (module source, CommonJS). */
const STUBS: Array<{ filter: RegExp; importer: RegExp; contents: string }> = [
  {
    // mqtt.js's ws:// and wss:// transports (and with them the `ws` package)
    filter: /^\.\/ws$/,
    importer: /node_modules\/mqtt\/build\/lib\/connect\/index\.js$/,
    contents: "const no = () => { throw new Error('ws:// and wss:// are not in the wavegate device bundle; use mqtt:// or mqtts://'); }; module.exports = { streamBuilder: no, browserStreamBuilder: no };",
  },
  {
    // mqtt.js's SOCKS proxy support (socks, ip-address, smart-buffer)
    filter: /^\.\/socks$/,
    importer: /node_modules\/mqtt\/build\/lib\/connect\/(tcp|tls)\.js$/,
    contents: "module.exports = { __esModule: true, default: () => { throw new Error('SOCKS proxies are not in the wavegate device bundle'); } };",
  },
  {
    // browser worker timers; Node uses the native ones (mqtt.js picks them outside browsers)
    filter: /^worker-timers$/,
    importer: /node_modules\/mqtt\//,
    contents: 'module.exports = { setInterval: (f, t) => setInterval(f, t), clearInterval: (id) => clearInterval(id) };',
  },
];

function stubs(): Plugin {
  return {
    name: 'wavegate-device-stubs',
    setup(b) {
      for (const [i, s] of STUBS.entries()) {
        b.onResolve({ filter: s.filter }, (args) => (s.importer.test(args.importer) ? { path: `stub-${i}`, namespace: 'wavegate-stub' } : undefined));
      }
      b.onLoad({ filter: /.*/, namespace: 'wavegate-stub' }, (args) => ({ contents: STUBS[Number(args.path.slice(5))].contents, loader: 'js' }));
    },
  };
}

/**
 * `wavegate-device:kernels`: the three kernel builds (ref, simd, relaxed), deflated (level 9) and
 * base64, inflated once at startup by Node's own zlib: a third of the bytes of plain base64.
 */
function kernels(): Plugin {
  return {
    name: 'wavegate-device-kernels',
    setup(b) {
      b.onResolve({ filter: /^wavegate-device:kernels$/ }, () => ({ path: 'kernels', namespace: 'wavegate-kernels' }));
      b.onLoad({ filter: /.*/, namespace: 'wavegate-kernels' }, () => {
        const read = (build: string) => {
          const p = join(ROOT, 'build', `kernel-${build}.wasm`);
          if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build:wasm\` first`);
          return deflateRawSync(readFileSync(p), { level: 9 }).toString('base64');
        };
        return {
          contents: `import { inflateRawSync } from 'node:zlib';\nconst b = (s) => new Uint8Array(inflateRawSync(Buffer.from(s, 'base64')));\nexport const kernelSimd = b(${JSON.stringify(read('simd'))});\nexport const kernelRef = b(${JSON.stringify(read('ref'))});\nexport const kernelRelaxed = b(${JSON.stringify(read('relaxed'))});\n`,
          loader: 'js',
        };
      });
    },
  };
}

export interface DeviceBundle {
  /** The bundle file. */
  file: string;
  bytes: number;
  gzipBytes: number;
  /** Bytes in the bundle per package (or src/ folder), largest first. */
  byPackage: Array<[string, number]>;
}

/** Builds the device bundle into `outDir` (default dist/device). */
export async function buildDeviceBundle(outDir = join(ROOT, 'dist/device')): Promise<DeviceBundle> {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'wavegate.mjs');
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const result = await build({
    entryPoints: [join(ROOT, 'tools/bundle/device-entry.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
    define: { WAVEGATE_BUNDLE_VERSION: JSON.stringify(version) },
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __wgRequire } from 'node:module'; const require = __wgRequire(import.meta.url);" },
    plugins: [stubs(), kernels()],
  });
  const inputs = Object.values(result.metafile.outputs)[0].inputs;
  const bad = Object.keys(inputs).filter((p) => FORBIDDEN.some((re) => re.test(p)));
  if (bad.length > 0) throw new Error(`the device bundle must not carry ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', ...' : ''}`);
  const byPackage = new Map<string, number>();
  for (const [p, v] of Object.entries(inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
    const key = m ? m[1] : p.startsWith('wavegate-kernels:') ? 'kernels (inlined .wasm)' : p.startsWith('wavegate-stub:') ? 'stubs (ws, socks, worker-timers)' : p.split('/').slice(0, 2).join('/');
    byPackage.set(key, (byPackage.get(key) ?? 0) + v.bytesInOutput);
  }
  chmodSync(file, 0o755);
  const text = readFileSync(file);
  return { file, bytes: statSync(file).size, gzipBytes: gzipSync(text, { level: 9 }).length, byPackage: [...byPackage].sort((a, b) => b[1] - a[1]) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const b = await buildDeviceBundle(at >= 0 ? resolve(args[at + 1]) : undefined);
  if (args.includes('--json')) console.log(JSON.stringify(b));
  else {
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(`${b.file}: ${kb(b.bytes)} (${kb(b.gzipBytes)} gzipped), kernels included; runs with plain node >= 20`);
    for (const [k, v] of b.byPackage.slice(0, 12)) console.log(`  ${kb(v).padStart(10)}  ${k}`);
  }
}
