import { describe, expect, it } from 'vitest';
import { deviceFilter, discoveryFilter, fnv1a, ownerOf } from '../../../src/mqtt/share.js';
import { expectWavegateError } from '../../helpers/expect-error.js';
import { resolveHostOptions } from '../../../src/mqtt/options.js';

const devices = Array.from({ length: 2000 }, (_, i) => `dev${i}`);

describe('scale-out assignment (rendezvous hashing)', () => {
  it('is FNV-1a (its test vectors) mixed by the MurmurHash3 finalizer, and gives every host the same owner whatever the member order', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c); // the FNV-1a 32-bit test vector
    for (const d of devices.slice(0, 50)) expect(ownerOf(d, ['gw-a', 'gw-b', 'gw-c'])).toBe(ownerOf(d, ['gw-c', 'gw-a', 'gw-b']));
    expect(ownerOf('x', [])).toBeUndefined();
  });

  it('splits a fleet evenly and moves only the devices a joining or leaving member takes or leaves', () => {
    const two = new Map(devices.map((d) => [d, ownerOf(d, ['gw-a', 'gw-b'])]));
    const counts = [...two.values()].reduce((m, o) => m.set(o!, (m.get(o!) ?? 0) + 1), new Map<string, number>());
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(100); // 2000 devices, two members: 1000 +- 5 %
    const three = new Map(devices.map((d) => [d, ownerOf(d, ['gw-a', 'gw-b', 'gw-c'])]));
    const moved = devices.filter((d) => two.get(d) !== three.get(d));
    expect(moved.every((d) => three.get(d) === 'gw-c')).toBe(true); // only to the newcomer
    expect(Math.abs(moved.length - 667)).toBeLessThan(100);
  });

  it('uses the brief\'s filter for discovery and one shared filter per device', () => {
    expect(discoveryFilter('wg')).toBe('$share/wg/wavegate/v1/+/+/samples');
    expect(deviceFilter('wg', 'bed7')).toBe('$share/wg/wavegate/v1/bed7/+/samples');
  });

  it('refuses a group without an external MQTT 5 broker or with a persistent session', () => {
    const m = [{ path: 'a.wgm' }];
    expectWavegateError(() => resolveHostOptions({ models: m, shareGroup: 'wg' }), 'E_ARGUMENT', /shareGroup: .*external MQTT 5 broker/);
    expectWavegateError(() => resolveHostOptions({ models: m, shareGroup: 'wg', broker: 'mqtt://b:1883', protocolVersion: 4 }), 'E_ARGUMENT', /need MQTT 5/);
    expectWavegateError(() => resolveHostOptions({ models: m, shareGroup: 'wg', broker: 'mqtt://b:1883', sessionExpirySeconds: 60 }), 'E_ARGUMENT', /sessionExpirySeconds: must be 0 with shareGroup/);
    expectWavegateError(() => resolveHostOptions({ models: m, shareGroup: 'a/b', broker: 'mqtt://b:1883' }), 'E_ARGUMENT', /shareGroup: group name "a\/b"/);
    expect(resolveHostOptions({ models: m, shareGroup: 'wg', broker: 'mqtt://b:1883' }).sessionExpirySeconds).toBe(0);
    expect(resolveHostOptions({ models: m }).sessionExpirySeconds).toBe(3600);
  });
});
