import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveOptions } from '../../../src/cli/serve.js';
import { DEFAULT_HOST_OPTIONS, defaultNodeId, modelName, readHostConfig, resolveHostOptions } from '../../../src/mqtt/options.js';
import { expectWavegateError } from '../../helpers/expect-error.js';

const dir = mkdtempSync(join(tmpdir(), 'wavegate-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('host options', () => {
  it('fills the documented defaults', () => {
    const o = resolveHostOptions({ models: [{ path: 'a/ecg.wgm' }], nodeId: 'gw-1' });
    expect(o).toMatchObject({ ...DEFAULT_HOST_OPTIONS, nodeId: 'gw-1', clientId: 'wavegate-gw-1' });
    expect(o.broker).toBeUndefined();
    expect(o.maxPayloadBytes).toBe(256 * 1024);
    expect(modelName('/x/y/ecg-int8.wgm')).toBe('ecg-int8');
    expect(defaultNodeId()).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no model', { models: [] }, /models: name at least one model/],
    ['an unknown option', { models: [{ path: 'a.wgm' }], maxDevice: 3 }, /unknown option "maxDevice"/],
    ['an unknown model key', { models: [{ path: 'a.wgm', thresholds: {} }] }, /models\[0\]: unknown key "thresholds"/],
    ['two models with one name', { models: [{ path: 'a/m.wgm' }, { path: 'b/m.wgm' }] }, /models\[1\].name: "m" names two models/],
    ['a bad route filter', { models: [{ path: 'a.wgm', match: ['dev/#/x'] }] }, /models\[0\].match\[0\]: "#" must be the last level/],
    ['a bad broker URL', { models: [{ path: 'a.wgm' }], broker: 'http://x' }, /broker: expected mqtt:\/\/host:port/],
    ['a port out of range', { models: [{ path: 'a.wgm' }], port: 70000 }, /port: expected an integer in \[0, 65535\]/],
    ['a node id with a slash', { models: [{ path: 'a.wgm' }], nodeId: 'a/b' }, /nodeId: node name "a\/b"/],
    ['a gap policy', { models: [{ path: 'a.wgm' }], gapPolicy: 'splice' }, /gapPolicy: expected "reset" or "zero-fill"/],
    ['a protocol version', { models: [{ path: 'a.wgm' }], protocolVersion: 3 }, /protocolVersion: expected 4 or 5/],
  ])('refuses %s, naming it', (_what, opts, pattern) => {
    expectWavegateError(() => resolveHostOptions(opts as never), 'E_ARGUMENT', pattern);
  });

  it('reads a JSON config with model paths relative to it; flags override it', () => {
    const cfg = join(dir, 'host.json');
    writeFileSync(cfg, JSON.stringify({ nodeId: 'gw', port: 2883, models: [{ path: 'models/ecg.wgm', match: ['+/ecg'], detector: { threshold: 0.9 } }, { path: '/abs/vib.wgm' }] }));
    const read = readHostConfig(cfg);
    expect(read.models.map((m) => m.path)).toEqual([join(dir, 'models/ecg.wgm'), '/abs/vib.wgm']);
    const merged = serveOptions({ config: cfg, port: 3883, model: [resolve(dir, 'models/ecg.wgm'), 'other.wgm'] });
    expect(merged).toMatchObject({ nodeId: 'gw', port: 3883 });
    // the flag's model that the config lists keeps its settings; a new one comes bare
    expect(merged.models).toEqual([{ path: join(dir, 'models/ecg.wgm'), match: ['+/ecg'], detector: { threshold: 0.9 } }, { path: 'other.wgm' }]);
    expect(serveOptions({ config: cfg }).models).toHaveLength(2);
  });

  it('names the config file at fault', () => {
    expectWavegateError(() => readHostConfig(join(dir, 'missing.json')), 'E_NOT_FOUND', /missing.json: no such file/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"models": [');
    expectWavegateError(() => readHostConfig(bad), 'E_ARGUMENT', /bad.json: not valid JSON/);
    writeFileSync(bad, '[1]');
    expectWavegateError(() => readHostConfig(bad), 'E_ARGUMENT', /bad.json: expected a JSON object/);
  });
});
