#!/usr/bin/env node
// Runs an ONNX model on a float32 .npy batch with onnxruntime-node (1 thread) and writes its
// first output as a float32 .npy. The Python trainer has no onnxruntime, so `export` calls this
// to compare the ONNX file against PyTorch on real batches (an independent oracle, not a
// torch-vs-torch reload).
//
//   node tools/trainer/check_onnx.mjs <model.onnx> <input.npy> <output.npy>
//
// Exit codes: 0 ok, 2 bad arguments or input file, 3 onnxruntime missing or the model failed.
import { readFileSync, writeFileSync } from 'node:fs';

function fail(code, message) {
  process.stderr.write(`check_onnx: ${message}\n`);
  process.exit(code);
}

/** Minimal .npy (v1-3) reader for little-endian float32 C-order arrays. */
function readNpyF32(path) {
  const buf = readFileSync(path);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') fail(2, `${path}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  if (!/'descr':\s*'<f4'/.test(header)) fail(2, `${path}: dtype must be <f4, header ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header)) fail(2, `${path}: fortran_order arrays are not supported`);
  const m = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!m) fail(2, `${path}: no shape in header`);
  const shape = m[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  if (buf.length - offset !== count * 4) fail(2, `${path}: expected ${count * 4} data bytes, found ${buf.length - offset}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = buf.readFloatLE(offset + 4 * i);
  return { shape, data };
}

function writeNpyF32(path, shape, data) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const out = Buffer.alloc(10 + header.length + data.length * 4);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i], 10 + header.length + 4 * i);
  writeFileSync(path, out);
}

const [modelPath, inputPath, outputPath] = process.argv.slice(2);
if (!modelPath || !inputPath || !outputPath) fail(2, 'usage: check_onnx.mjs <model.onnx> <input.npy> <output.npy>');

let ort;
try {
  ort = await import('onnxruntime-node');
} catch (e) {
  fail(3, `onnxruntime-node is not installed (${e.message})`);
}
const input = readNpyF32(inputPath);
try {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input.data, input.shape) };
  const results = await session.run(feeds);
  const out = results[session.outputNames[0]];
  writeNpyF32(outputPath, Array.from(out.dims), Float32Array.from(out.data));
} catch (e) {
  fail(3, `${modelPath}: onnxruntime failed: ${e.message}`);
}
