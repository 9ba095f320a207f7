/**
 * Scale-out (shareGroup, src/mqtt/share.ts): two host processes and one mosquitto split 200
 * devices; no window is scored twice and none is missed; when one host dies (kill -9) the other
 * takes its devices and scores all their windows from then on.
 *
 * Windows are two frames long (100 Hz, windows of 50 samples, frames of 25), so a device whose
 * frames were dealt out between the hosts could not have its windows assembled: every window
 * scored whole, once, shows the device stayed with one host.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect } from 'vitest';
import type { HostHealth } from '../../src/mqtt/host.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { waitFor } from '../helpers/mqtt.js';
import { writeLevelModel } from '../helpers/level-model.js';
import { KERNELS, MOSQUITTO, needs } from '../helpers/needs.js';

const DEVICES = 200;
const FRAMES = 20; // per phase: 10 windows a device
let dir: string;
let model: string;
let broker: Mosquitto;
let pub: MqttClient;

interface HostProc {
  child: ChildProcess;
  health: string;
  /** "<device> <start>" of every window it scored. */
  scored: string[];
}

async function startHost(node: string): Promise<HostProc> {
  const options = { models: [{ path: model, name: 'level' }], broker: broker.url, nodeId: node, shareGroup: 'wg', httpPort: 0, samplesQos: 1, tickMs: 10 };
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/share-host.ts', JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const scored: string[] = [];
  const lines = createInterface({ input: child.stdout! });
  const health = await new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      const v = JSON.parse(l) as { ready?: string } | [string, number];
      if (Array.isArray(v)) scored.push(`${v[0]} ${v[1]}`);
      else if (v.ready) resolve(v.ready);
    });
    child.once('exit', (code) => reject(new Error(`host ${node} exited with ${code}`)));
  });
  return { child, health, scored };
}

const healthOf = async (h: HostProc) => (await (await fetch(h.health)).json()) as HostHealth;

/** One frame of every device, seq `seq`, in the segment that starts at t0 (level 0 everywhere). */
async function round(seq: number, t0: number, k: number): Promise<void> {
  const ps: Array<Promise<unknown>> = [];
  for (let d = 0; d < DEVICES; d++) ps.push(pub.publishAsync(`wavegate/v1/dev${d}/lvl/samples`, JSON.stringify({ seq, t: t0 + k * 250, fs: 100, samples: new Array(25).fill(0) }), { qos: 1 }));
  await Promise.all(ps);
}

/** FRAMES frames of every device from seq `first`, in a new segment at t0 (the time jumps, so every stream starts its windows there). */
async function phase(first: number, t0: number): Promise<Set<string>> {
  for (let k = 0; k < FRAMES; k++) await round(first + k, t0, k);
  const expected = new Set<string>();
  for (let d = 0; d < DEVICES; d++) for (let w = 0; w < FRAMES / 2; w++) expected.add(`dev${d} ${t0 + w * 500}`);
  return expected;
}

needs(MOSQUITTO, KERNELS).describe('scale-out: two hosts, one mosquitto, shared subscriptions', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wavegate-share-'));
    model = await writeLevelModel(join(dir, 'level.wgm'));
    broker = await startMosquitto(['max_queued_messages 0']);
    pub = await connectAsync(broker.url, { protocolVersion: 5 });
  });
  afterAll(async () => {
    await pub?.endAsync();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  needs(MOSQUITTO, KERNELS).it('splits 200 devices with no window scored twice or missed, and survives one host dying', async () => {
    const a = await startHost('share-a');
    const b = await startHost('share-b');
    try {
      const both = async () => Promise.all([healthOf(a), healthOf(b)]);
      await (async () => {
        const until = Date.now() + 20_000;
        while (Date.now() < until && (await both()).some((h) => h.share!.members.length !== 2)) await new Promise((r) => setTimeout(r, 100));
      })();
      // discovery: a first frame of every device; each is registered and taken by its owner
      await round(0, 1_767_225_600_000, 0);
      let hs = await both();
      for (let until = Date.now() + 20_000; Date.now() < until && hs[0].share!.subscribed + hs[1].share!.subscribed !== DEVICES; hs = await both()) await new Promise((r) => setTimeout(r, 100));
      expect(hs.map((h) => h.share!.members)).toEqual([['share-a', 'share-b'], ['share-a', 'share-b']]);
      expect(hs.map((h) => h.share!.devices)).toEqual([DEVICES, DEVICES]);
      expect(hs[0].share!.subscribed + hs[1].share!.subscribed).toBe(DEVICES);
      expect(Math.min(hs[0].share!.owned, hs[1].share!.owned)).toBeGreaterThan(DEVICES / 4); // rendezvous hashing splits roughly evenly

      // phase 1: both hosts, 10 windows per device
      const t1 = 1_767_225_700_000;
      const expected1 = await phase(1, t1);
      const inPhase = (h: HostProc, t0: number) => h.scored.filter((s) => Number(s.split(' ')[1]) >= t0);
      await waitFor(() => inPhase(a, t1).length + inPhase(b, t1).length >= expected1.size, `${expected1.size} windows`, 60_000);
      await new Promise((r) => setTimeout(r, 500)); // anything scored twice would show by now
      const scored1 = [...inPhase(a, t1), ...inPhase(b, t1)];
      expect(scored1.length).toBe(expected1.size); // none twice
      expect(new Set(scored1)).toEqual(expected1); // none missed
      const hostOf = new Map<string, string>();
      for (const [h, name] of [[a, 'a'], [b, 'b']] as const) for (const s of inPhase(h, t1)) hostOf.set(s.split(' ')[0], hostOf.has(s.split(' ')[0]) && hostOf.get(s.split(' ')[0]) !== name ? 'both' : name);
      expect([...hostOf.values()].filter((v) => v === 'both')).toEqual([]); // every device with one host
      const ofB = [...hostOf].filter(([, v]) => v === 'b').map(([d]) => d);

      // one host dies: its last will says offline, the other takes its devices
      const killed = Date.now();
      b.child.kill('SIGKILL');
      let ha = await healthOf(a);
      for (let until = Date.now() + 20_000; Date.now() < until && !(ha.share!.members.length === 1 && ha.share!.subscribed === DEVICES); ha = await healthOf(a)) await new Promise((r) => setTimeout(r, 50));
      const takeoverMs = Date.now() - killed;
      expect(ha.share).toMatchObject({ members: ['share-a'], owned: DEVICES, subscribed: DEVICES });
      expect(takeoverMs).toBeLessThan(10_000);

      // phase 2: host a alone scores every window of every device, b's included
      const t2 = 1_767_225_800_000;
      const expected2 = await phase(1 + FRAMES, t2);
      await waitFor(() => inPhase(a, t2).length >= expected2.size, `${expected2.size} windows on the survivor`, 60_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(inPhase(a, t2).length).toBe(expected2.size);
      expect(new Set(inPhase(a, t2))).toEqual(expected2);
      expect(ofB.length).toBeGreaterThan(0);
      console.log(`scale-out: ${DEVICES - ofB.length} devices on a, ${ofB.length} on b; b killed, a held all ${DEVICES} after ${takeoverMs} ms`);
    } finally {
      a.child.kill('SIGTERM');
      b.child.kill('SIGKILL');
    }
  }, 180_000);
});
