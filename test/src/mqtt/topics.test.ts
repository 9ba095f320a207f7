import { describe, expect, it } from 'vitest';
import { alertsTopic, errorsTopic, filterProblem, nameProblem, parseTopic, SAMPLES_FILTER, samplesTopic, statusTopic, topicMatches } from '../../../src/mqtt/topics.js';

describe('topics', () => {
  it('spells the v1 tree exactly', () => {
    expect(samplesTopic('ward-3.bed-12', 'ecg')).toBe('wavegate/v1/ward-3.bed-12/ecg/samples');
    expect(alertsTopic('pump_7')).toBe('wavegate/v1/pump_7/alerts');
    expect(statusTopic('gw-1')).toBe('wavegate/v1/_node/gw-1/status');
    expect(errorsTopic('gw-1')).toBe('wavegate/v1/_node/gw-1/errors');
    expect(SAMPLES_FILTER).toBe('wavegate/v1/+/+/samples');
  });

  it('parses samples topics and names bad names', () => {
    expect(parseTopic('wavegate/v1/dev1/ecg/samples')).toEqual({ kind: 'samples', device: 'dev1', stream: 'ecg' });
    expect(parseTopic('wavegate/v1/dev1/alerts')).toEqual({ kind: 'other' });
    expect(parseTopic('wavegate/v2/dev1/ecg/samples')).toEqual({ kind: 'other' });
    const bad = parseTopic('wavegate/v1/_node/ecg/samples');
    expect(bad).toMatchObject({ kind: 'invalid-samples', device: '_node' });
    expect(bad.kind === 'invalid-samples' && bad.problem).toMatch(/may not start with "_"/);
    expect(parseTopic('wavegate/v1/dev 1/ecg/samples').kind).toBe('invalid-samples');
    expect(parseTopic(`wavegate/v1/${'x'.repeat(65)}/ecg/samples`).kind).toBe('invalid-samples');
    expect(nameProblem('ok-name_1.2', 'stream')).toBeUndefined();
    expect(nameProblem('', 'node')).toMatch(/1-64 characters/);
  });

  it('matches route filters as a broker does', () => {
    expect(topicMatches('#', 'a/b')).toBe(true);
    expect(topicMatches('+/ecg', 'dev1/ecg')).toBe(true);
    expect(topicMatches('+/ecg', 'dev1/vib')).toBe(false);
    expect(topicMatches('dev1/#', 'dev1/vib')).toBe(true);
    expect(topicMatches('dev1/+', 'dev1')).toBe(false);
    expect(topicMatches('dev1/vib', 'dev1/vib/x')).toBe(false);
    expect(filterProblem('a/#/b')).toMatch(/last level/);
    expect(filterProblem('a+/b')).toMatch(/whole level/);
    expect(filterProblem('+/ecg')).toBeUndefined();
  });
});
