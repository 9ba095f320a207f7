import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../../src/io/npy.js';
import { makeSignalFixtures } from '../../../tools/synth/fixtures.js';

const COMMITTED = fileURLToPath(new URL('../../../fixtures/signals/', import.meta.url));

describe('synthetic signal fixtures', () => {
  const files = makeSignalFixtures();
  const byName = new Map(files.map((f) => [f.name, f.bytes]));

  it('are small (well under the 2 MB fixture budget) and deterministic', () => {
    expect(files.reduce((s, f) => s + f.bytes.length, 0)).toBeLessThan(600_000);
    const again = makeSignalFixtures();
    for (const f of again) expect(Buffer.from(f.bytes).equals(Buffer.from(byName.get(f.name)!)), f.name).toBe(true);
  });

  it('are exactly the committed fixtures/signals, byte for byte (else: npx tsx tools/synth/fixtures.ts --out fixtures/signals)', () => {
    expect(readdirSync(COMMITTED).sort()).toEqual(files.map((f) => f.name).sort());
    for (const f of files) expect(Buffer.from(f.bytes).equals(readFileSync(COMMITTED + f.name)), `fixtures/signals/${f.name} differs from what tools/synth/fixtures.ts makes`).toBe(true);
  });

  it('have the documented shapes and all three ECG classes', () => {
    const x = readNpy(byName.get('ecg-beats.npy')!);
    expect(x.shape).toEqual([200, 128, 1]);
    const y = readNpy(byName.get('ecg-beats-labels.npy')!);
    expect(new Set(Array.from(y.data as BigInt64Array, Number))).toEqual(new Set([0, 1, 2]));
    expect(readNpy(byName.get('bearing-windows.npy')!).shape).toEqual([40, 1024, 1]);
    const rec = JSON.parse(new TextDecoder().decode(byName.get('ecg-record.json')!));
    expect(rec.fs).toBe(360);
    expect(rec.rPeaks.length).toBe(rec.labels.length);
    expect(readNpy(byName.get('ecg-record.npy')!).shape).toEqual([21600]);
  });
});
