/**
 * Runs an ONNX model on a float32 .npy batch with onnxruntime-node (1 thread) and writes its first
 * output as a float32 .npy. A model with side features (a second input f [batch, F]) gets them from
 * a second .npy, fed to its second input by name. The Python trainer has no onnxruntime, so `export` calls this to compare
 * the ONNX file against PyTorch on real batches (an independent oracle, not a torch-vs-torch reload).
 * The .npy files go through the project's one codec (src/io/npy.ts).
 *
 *   tsx tools/trainer/check_onnx.ts <model.onnx> <input.npy> <output.npy> [<features.npy>]
 *   node dist/tools/trainer/check_onnx.js ...        (the built copy)
 *
 * Exit codes: 0 ok, 2 bad arguments or input file, 3 onnxruntime missing or the model failed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { encodeNpy, readNpy } from '../../src/io/npy.js';

function fail(code: number, message: string): never {
  process.stderr.write(`check_onnx: ${message}\n`);
  process.exit(code);
}

async function main(argv: string[]): Promise<void> {
  const [modelPath, inputPath, outputPath, featuresPath] = argv;
  if (!modelPath || !inputPath || !outputPath || argv.length > 4) {
    fail(2, 'usage: check_onnx.ts <model.onnx> <input.npy> <output.npy> [<features.npy>]');
  }
  const load = (path: string) => {
    let array;
    try {
      array = readNpy(readFileSync(path), path);
    } catch (e) {
      fail(2, (e as Error).message);
    }
    if (array.dtype !== 'float32') fail(2, `${path}: dtype must be float32, got ${array.dtype}`);
    return array;
  };
  const input = load(inputPath);
  const features = featuresPath ? load(featuresPath) : undefined;
  if (features && (features.shape.length !== 2 || features.shape[0] !== input.shape[0])) {
    fail(2, `${featuresPath}: features must be [${input.shape[0]}, F] (one row per window of ${inputPath}), got [${features.shape.join(', ')}]`);
  }
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    fail(3, `onnxruntime-node is not installed (${(e as Error).message})`);
  }
  try {
    const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const expected = features ? 2 : 1;
    if (session.inputNames.length !== expected) {
      fail(2, `${modelPath}: the model has ${session.inputNames.length} input(s) (${session.inputNames.join(', ')}), ${expected} given`);
    }
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
      [session.inputNames[0]]: new ort.Tensor('float32', input.data as Float32Array, input.shape),
    };
    if (features) feeds[session.inputNames[1]] = new ort.Tensor('float32', features.data as Float32Array, features.shape);
    const results = await session.run(feeds);
    const out = results[session.outputNames[0]];
    writeFileSync(outputPath, encodeNpy(Float32Array.from(out.data as Float32Array), Array.from(out.dims)));
  } catch (e) {
    fail(3, `${modelPath}: onnxruntime failed: ${(e as Error).message}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
