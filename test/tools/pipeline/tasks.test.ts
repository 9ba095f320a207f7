/**
 * The pipeline's task specifications (tools/pipeline/tasks.ts): the two bearing tasks read the same
 * CWRU regions but not the same input scale. bearing-fault scales by 1/0.05 g (chosen on the
 * validation regions, docs/models.md), bearing-anomaly keeps 1/0.1 g (its shipped model was
 * trained on that); --synthetic maps both to the 4-class, 256-sample windows of the CI test.
 */
import { describe, expect, it } from 'vitest';
import { CWRU_FAULT_INPUT, CWRU_INPUT, taskSpec } from '../../../tools/pipeline/tasks.js';

const preprocess = (args: string[]) => args[args.indexOf('--preprocess') + 1];

describe('bearing task inputs', () => {
  it('bearing-fault builds its datasets at 1/0.05 g, bearing-anomaly at 1/0.1 g', () => {
    expect(preprocess(CWRU_FAULT_INPUT)).toBe('decimate:12000,normalize:0:0.05');
    expect(preprocess(CWRU_INPUT)).toBe('decimate:12000,normalize:0:0.1');
    const fault = taskSpec('bearing', '/data', false);
    const anomaly = taskSpec('bearing-anomaly', '/data', false);
    for (const split of ['train', 'val'] as const) {
      expect(preprocess(fault.datasets[split]!.args)).toBe('decimate:12000,normalize:0:0.05');
      expect(preprocess(anomaly.datasets[split]!.args)).toBe('decimate:12000,normalize:0:0.1');
      for (const spec of [fault, anomaly]) {
        const a = spec.datasets[split]!.args;
        expect(a[a.indexOf('--window') + 1]).toBe('1024');
        expect(a[a.indexOf('--task') + 1]).toBe('10class');
        expect(a[a.indexOf('--hop') + 1]).toBe(split === 'train' ? '256' : '512');
        expect(a[a.indexOf('--split') + 1]).toBe(split);
      }
    }
  });

  it('--synthetic: 4 classes, 256-sample windows, a quarter of the hop, the same scales', () => {
    const fault = taskSpec('bearing', '/data', true);
    const anomaly = taskSpec('bearing-anomaly', '/data', true);
    for (const [spec, scale] of [[fault, '0.05'], [anomaly, '0.1']] as const) {
      const a = spec.datasets.train!.args;
      expect(a[a.indexOf('--task') + 1]).toBe('4class');
      expect(a[a.indexOf('--window') + 1]).toBe('256');
      expect(a[a.indexOf('--hop') + 1]).toBe('64');
      expect(preprocess(a)).toBe(`decimate:12000,normalize:0:${scale}`);
    }
  });
});
