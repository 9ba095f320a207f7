/**
 * What machine a benchmark ran on, printed above every table: CPU model, its SIMD features
 * (the x86 flags that decide how fast native ORT and V8's WASM SIMD code can be), cores, Node.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** The /proc/cpuinfo flags that matter for 128-bit WASM SIMD (V8) and for native ORT (MLAS). */
const SIMD_FLAGS = [
  'sse4_1', 'sse4_2', 'ssse3', 'avx', 'avx2', 'fma', 'f16c',
  'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx_vnni', 'avx512_bf16', 'avx512_fp16', 'amx_int8', 'amx_tile',
  'asimd', 'asimddp', 'i8mm', 'sve',
];

export interface MachineInfo {
  cpuModel: string;
  simdFlags: string[];
  logicalCpus: number;
  node: string;
  v8: string;
}

/** Reads /proc/cpuinfo when there is one (Linux); elsewhere falls back to os.cpus(). */
export function machineInfo(cpuinfoPath = '/proc/cpuinfo'): MachineInfo {
  let text = '';
  try {
    text = readFileSync(cpuinfoPath, 'utf8');
  } catch {
    // not Linux: model from os.cpus(), no flags
  }
  const field = (name: string): string | undefined =>
    new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const flags = new Set((field('flags') ?? field('Features') ?? '').split(/\s+/));
  return {
    cpuModel: field('model name') ?? cpus()[0]?.model ?? 'unknown',
    simdFlags: SIMD_FLAGS.filter((f) => flags.has(f)),
    logicalCpus: cpus().length,
    node: process.version,
    v8: process.versions.v8,
  };
}

export function formatMachine(m: MachineInfo): string {
  return [
    `CPU: ${m.cpuModel} (${m.logicalCpus} logical CPUs)`,
    `SIMD: ${m.simdFlags.join(' ') || 'unknown'}`,
    `Node ${m.node} (V8 ${m.v8})`,
  ].join('\n');
}
