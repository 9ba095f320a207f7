/**
 * The pipeline's task specifications (tools/pipeline/tasks.ts): the two bearing tasks read the same
 * CWRU regions through different inputs. bearing-fault reads 7-frame windows of the spectrum
 * stage (32 log band energies of 256-sample frames every 128 samples: 1024 samples a window;
 * chosen on the validation regions, docs/models.md), bearing-anomaly 1024 samples at 1/0.1 g (its
 * shipped model was trained on that). --synthetic maps both to the 4-class CI test: the anomaly
 * task to 256-sample windows and a quarter of the hop, the fault task keeps its 7-frame windows.
 */
import { describe, expect, it } from 'vitest';
import { CWRU_FAULT_INPUT, CWRU_INPUT, taskSpec } from '../../../tools/pipeline/tasks.js';
import { parsePreprocessSpec } from '../../../tools/datasets/preprocess.js';

const arg = (args: string[], key: string) => args[args.indexOf(key) + 1];
const SPECTRUM = 'decimate:12000,spectrum:256:128:0-6000:32:relative';

describe('bearing task inputs', () => {
  it('bearing-fault builds spectrum-frame datasets, bearing-anomaly 1024-sample windows at 1/0.1 g', () => {
    expect(arg(CWRU_FAULT_INPUT, '--preprocess')).toBe(SPECTRUM);
    expect(parsePreprocessSpec(SPECTRUM)[1]).toEqual({ kind: 'spectrum', frame: 256, hop: 128, low: 0, high: 6000, bands: 32, level: 'relative' });
    expect(arg(CWRU_INPUT, '--preprocess')).toBe('decimate:12000,normalize:0:0.1');
    const fault = taskSpec('bearing', '/data', false);
    const anomaly = taskSpec('bearing-anomaly', '/data', false);
    for (const split of ['train', 'val'] as const) {
      const f = fault.datasets[split]!.args, a = anomaly.datasets[split]!.args;
      expect(arg(f, '--preprocess')).toBe(SPECTRUM);
      expect(arg(a, '--preprocess')).toBe('decimate:12000,normalize:0:0.1');
      // 7 frames every 2 (4) frames of 128 samples = 1024 samples every 256 (512), as the anomaly task's windows.
      expect([arg(f, '--window'), arg(f, '--hop')]).toEqual(['7', split === 'train' ? '2' : '4']);
      expect([arg(a, '--window'), arg(a, '--hop')]).toEqual(['1024', split === 'train' ? '256' : '512']);
      for (const x of [f, a]) {
        expect(arg(x, '--task')).toBe('10class');
        expect(arg(x, '--split')).toBe(split);
      }
    }
  });

  it('--synthetic: 4 classes; the anomaly task at 256-sample windows and a quarter of the hop', () => {
    const fault = taskSpec('bearing', '/data', true).datasets.train!.args;
    const anomaly = taskSpec('bearing-anomaly', '/data', true).datasets.train!.args;
    expect([arg(fault, '--task'), arg(fault, '--window'), arg(fault, '--hop'), arg(fault, '--preprocess')]).toEqual(['4class', '7', '2', SPECTRUM]);
    expect([arg(anomaly, '--task'), arg(anomaly, '--window'), arg(anomaly, '--hop'), arg(anomaly, '--preprocess')]).toEqual(['4class', '256', '64', 'decimate:12000,normalize:0:0.1']);
  });
});
