import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readNpy } from '../../../src/io/npy.js';
import { createSignalChain } from '../../../src/signal/chain.js';
import { makeSignalFixtures } from '../../../tools/synth/fixtures.js';

const DIR = fileURLToPath(new URL('../../../fixtures/signals/', import.meta.url));

describe('synthetic signal fixtures', () => {
  const files = makeSignalFixtures();
  const byName = new Map(files.map((f) => [f.name, f.bytes]));

  it('are small (well under the 2 MB fixture budget) and deterministic', () => {
    expect(files.reduce((s, f) => s + f.bytes.length, 0)).toBeLessThan(600_000);
    const again = makeSignalFixtures();
    for (const f of again) expect(Buffer.from(f.bytes).equals(Buffer.from(byName.get(f.name)!)), f.name).toBe(true);
  });

  it('the committed fixtures/signals are exactly what the generator makes (regenerate with tools/synth/fixtures.ts)', () => {
    expect(readdirSync(DIR).sort()).toEqual([...byName.keys()].sort());
    for (const [name, bytes] of byName) expect(Buffer.from(readFileSync(DIR + name)).equals(Buffer.from(bytes)), name).toBe(true);
  });

  it('have the documented shapes, all three ECG classes, and an input spec the device chain runs', () => {
    const x = readNpy(byName.get('ecg-beats.npy')!);
    expect(x.shape).toEqual([200, 128, 1]);
    const y = readNpy(byName.get('ecg-beats-labels.npy')!);
    expect(new Set(Array.from(y.data as BigInt64Array, Number))).toEqual(new Set([0, 1, 2]));
    const spec = JSON.parse(new TextDecoder().decode(byName.get('ecg-beats.json')!));
    expect(readNpy(byName.get('ecg-beats-features.npy')!).shape).toEqual([200, spec.input.features.names.length]);
    expect(createSignalChain(spec.input, 360).featureNames).toEqual(spec.input.features.names);
    expect(readNpy(byName.get('bearing-windows.npy')!).shape).toEqual([40, 1024, 1]);
    const rec = JSON.parse(new TextDecoder().decode(byName.get('ecg-record.json')!));
    expect(rec.fs).toBe(360);
    expect(rec.rPeaks.length).toBe(rec.labels.length);
    expect(readNpy(byName.get('ecg-record.npy')!).shape).toEqual([21600]);
  });
});
