/**
 * The `node -e` scripts that measure time to first inference: each loads one runtime the way an
 * application would, loads a model from disk, runs one 360-step window and prints
 * `first-inference-ms=<performance.now()>` (Node's performance.now() counts from process start,
 * so the figure includes Node's own startup, module loading, wasm compilation and the run).
 *
 * Scripts are ES modules (`node --input-type=module -e`), plain JavaScript: no tsx in the child.
 */
export type FirstInferenceRuntime = 'wavegate' | 'ort-node' | 'ort-web';

export interface FirstInferenceFiles {
  /** The esbuild device bundle (kernels beside it). */
  bundleFile: string;
  wgmFile: string;
  onnxFile: string;
  /** Repository root, where node_modules lives (ORT children resolve packages from there). */
  root: string;
}

/** Steps of the window run once. */
export const FIRST_WINDOW_STEPS = 360;

export function firstInferenceScript(runtime: FirstInferenceRuntime, f: FirstInferenceFiles): string {
  const T = FIRST_WINDOW_STEPS;
  const print = "process.stdout.write('first-inference-ms=' + performance.now() + '\\n');";
  switch (runtime) {
    case 'wavegate':
      return [
        `const wg = await import(${JSON.stringify(new URL(`file://${f.bundleFile}`).href)});`,
        `const model = await wg.loadModel(${JSON.stringify(f.wgmFile)});`,
        `const session = await model.createSession({ maxWindow: ${T}, maxBatch: 1 });`,
        `const out = session.run(new Float32Array(${T}).fill(0.5), 1, ${T});`,
        `if (!(out.length > 0)) throw new Error('no output');`,
        print,
        // As the ORT scripts do: the parent's spawn-to-exit then times the same thing for every
        // runtime (a natural exit would also wait for V8's background tier-up of the kernel).
        'process.exit(0);',
      ].join('\n');
    case 'ort-node':
    case 'ort-web': {
      const web = runtime === 'ort-web';
      return [
        `import { createRequire } from 'node:module';`,
        `const require = createRequire(${JSON.stringify(`${f.root}/package.json`)});`,
        `const ort = require(${JSON.stringify(web ? 'onnxruntime-web' : 'onnxruntime-node')});`,
        web ? 'ort.env.wasm.numThreads = 1;' : '',
        `const opts = ${web ? "{ executionProviders: ['wasm'] }" : "{ executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 }"};`,
        `const session = await ort.InferenceSession.create(${JSON.stringify(f.onnxFile)}, opts);`,
        `const X = new ort.Tensor('float32', new Float32Array(${T}).fill(0.5), [${T}, 1, 1]);`,
        `const out = await session.run({ X });`,
        `if (!out.Y_h) throw new Error('no output');`,
        print,
        // The web backend keeps its wasm thread pool alive; every script exits explicitly.
        'process.exit(0);',
      ].join('\n');
    }
  }
}
