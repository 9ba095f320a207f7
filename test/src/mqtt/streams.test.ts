import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRejectError, type RejectCode } from '../../../src/mqtt/errors.js';
import type { SampleFrame } from '../../../src/mqtt/frame.js';
import { ServedModel, type ServeSettings } from '../../../src/mqtt/models.js';
import { StreamTable } from '../../../src/mqtt/stream-table.js';
import type { ReadyWindow, StreamPolicy, StreamState } from '../../../src/mqtt/streams.js';
import { loadModel } from '../../../src/runtime/model.js';
import { writeLevelModel, levelModel } from '../../helpers/level-model.js';
import { KERNELS, needs } from '../../helpers/needs.js';

const SETTINGS: ServeSettings = { maxBatch: 16, maxQueuedWindows: 64, streamSlots: 8, backend: 'ref' };
const RESET: StreamPolicy = { gapPolicy: 'reset', maxFillMs: 1000, timeToleranceMs: 50 };
const FS = 100;
const T0 = 1_767_225_600_000;

let dir: string;
let fixed: ServedModel;
let streaming: ServedModel;

/** A frame of `n` samples at 100 Hz: frame k starts at T0 + k * n * 10 ms. */
function frame(seq: number, n = 25, value = 0, k = seq): SampleFrame {
  return { seq, t: T0 + k * n * 10, fs: FS, channels: 1, frames: n, samples: new Float32Array(n).fill(value) };
}

function expectReject(fn: () => unknown, code: RejectCode, pattern?: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(isRejectError(e, code), String(e)).toBe(true);
    if (pattern) expect((e as Error).message).toMatch(pattern);
    return;
  }
  throw new Error(`expected ${code}`);
}

needs(KERNELS).describe('streams', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wavegate-streams-'));
    fixed = await ServedModel.load({ path: await writeLevelModel(join(dir, 'level.wgm')) }, SETTINGS);
    streaming = await ServedModel.load({ path: await writeLevelModel(join(dir, 'level-stream.wgm'), { mode: 'stream' }), name: 'lvl-stream', match: ['+/live'] }, SETTINGS);
  });
  afterAll(() => {
    fixed?.dispose();
    streaming?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const table = () => new StreamTable([streaming, fixed], { maxDevices: 3, maxStreamsPerDevice: 2 });
  const feed = (s: StreamState, frames: SampleFrame[], policy = RESET): ReadyWindow[] => frames.flatMap((f) => s.accept(f, policy, 0, 0));

  it('cuts contiguous frames into windows timed from the first sample', () => {
    const s = table().get('d1', 'ecg', 0);
    expect(s.model).toBe(fixed);
    const w = feed(s, [0, 1, 2, 3, 4].map((k) => frame(k)));
    expect(w.map((x) => [x.start - T0, x.end - T0, x.seq, x.segment])).toEqual([[0, 490, 1, 0], [500, 990, 3, 0]]);
    expect(s.counters).toMatchObject({ frames: 5, gaps: 0 });
  });

  it('a sequence gap starts a new segment: no window straddles it', () => {
    const s = table().get('d1', 'ecg', 0);
    // frames 0, 1 (50 samples: one window), 2 (half a window), then 5: 3 and 4 lost
    const w = feed(s, [frame(0), frame(1), frame(2), frame(5), frame(6)]);
    expect(w.map((x) => [x.start - T0, x.segment])).toEqual([[0, 0], [1250, 1]]);
    expect(s.counters).toMatchObject({ gaps: 1, missingFrames: 2 });
  });

  it('zero-fill bridges a short gap with zeros and keeps the segment', () => {
    const s = table().get('d1', 'ecg', 0);
    const policy: StreamPolicy = { ...RESET, gapPolicy: 'zero-fill', maxFillMs: 600 };
    const w = feed(s, [frame(0, 25, 1), frame(1, 25, 1), frame(3, 25, 1), frame(4, 25, 1), frame(5, 25, 1), frame(30, 25, 1), frame(31, 25, 1)], policy);
    expect(w.map((x) => [x.start - T0, x.segment])).toEqual([[0, 0], [500, 0], [1000, 0], [7500, 1]]);
    // the second window holds the 25 filled zeros, then 25 ones
    expect(Array.from(w[1].data.subarray(20, 30))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(s.counters).toMatchObject({ gaps: 2, missingFrames: 1 + 24, zeroFilled: 25 });
  });

  it('a timestamp jump with a contiguous seq is a discontinuity too', () => {
    const s = table().get('d1', 'ecg', 0);
    feed(s, [frame(0), frame(1, 25, 0, 3)]);
    expect(s.counters.gaps).toBe(1);
    expect(s.counters.missingFrames).toBe(0);
    expect(s.segment).toBe(1);
  });

  it('refuses duplicates and reordered frames, and takes a counter that starts over', () => {
    const s = table().get('d1', 'ecg', 0);
    feed(s, [frame(10), frame(11), frame(12)]);
    expectReject(() => s.accept(frame(12), RESET, 0, 0), 'E_SEQ_DUPLICATE', /seq 12 again/);
    expectReject(() => s.accept(frame(11), RESET, 0, 0), 'E_SEQ_ORDER', /seq 11 is older than 12/);
    // the device rebooted: seq 0, timestamp where the stream goes on
    feed(s, [frame(0, 25, 0, 13)]);
    expect(s.counters).toMatchObject({ restarts: 1, frames: 4 });
    // short frames: a duplicate whose whole frame is shorter than the time tolerance is still a duplicate
    const short = table().get('d2', 'ecg', 0);
    feed(short, [frame(0, 2), frame(1, 2)]);
    expectReject(() => short.accept(frame(1, 2), RESET, 0, 0), 'E_SEQ_DUPLICATE');
  });

  it('treats the wrap from 2^32 - 1 to 0 as contiguous', () => {
    const s = table().get('d1', 'ecg', 0);
    feed(s, [frame(2 ** 32 - 1, 25, 0, 0), frame(0, 25, 0, 1)]);
    expect(s.counters).toMatchObject({ gaps: 0, restarts: 0, frames: 2 });
  });

  it('refuses frames whose channels or rate do not fit the model', () => {
    const s = table().get('d1', 'ecg', 0);
    expectReject(() => s.accept({ ...frame(0), channels: 2, frames: 12, samples: new Float32Array(24) }, RESET, 0, 0), 'E_FRAME_CHANNELS', /takes 1/);
    expectReject(() => s.accept({ ...frame(0), fs: 250 }, RESET, 0, 0), 'E_FRAME_RATE', /250 Hz/);
    s.accept(frame(0), RESET, 0, 0);
    expectReject(() => s.accept({ ...frame(1), fs: 200 }, RESET, 0, 0), 'E_FRAME_RATE', /differs from the stream's 100 Hz/);
  });

  it('routes by match, caps devices and streams, and frees slots of idle streams', () => {
    const t = table();
    expect(t.get('d1', 'live', 0).model).toBe(streaming);
    expect(t.get('d1', 'live', 0).slot).toBeGreaterThanOrEqual(0);
    t.get('d1', 'ecg', 0);
    expectReject(() => t.get('d1', 'third', 0), 'E_STREAM_LIMIT', /maxStreamsPerDevice/);
    t.get('d2', 'ecg', 0);
    t.get('d3', 'ecg', 100);
    expectReject(() => t.get('d4', 'ecg', 0), 'E_DEVICE_LIMIT', /3 devices are live/);
    const gone = t.evictIdle(60, 50);
    expect(gone.map((g) => g.stream.key).sort()).toEqual(['d1/ecg', 'd1/live', 'd2/ecg']);
    expect(t.size).toBe(1);
    t.get('d4', 'ecg', 100);
    const only = new StreamTable([streaming], { maxDevices: 3, maxStreamsPerDevice: 2 });
    expectReject(() => only.get('d1', 'ecg', 0), 'E_NO_MODEL', /no model serves/);
  });

  it('scores the windows of many streams in one kernel call, as run() scores them alone', async () => {
    const t = table();
    const a = t.get('a', 'ecg', 0), b = t.get('b', 'ecg', 0);
    const frames = (v: number) => [0, 1, 2, 3].map((k) => frame(k, 25, v));
    for (const w of [...feed(a, frames(0)), ...feed(b, frames(1))]) fixed.queue.push(w);
    const scored = fixed.score(100);
    expect(scored.map((s) => s.window.stream.key)).toEqual(['a/ecg', 'a/ecg', 'b/ecg', 'b/ecg']);
    const m = await loadModel(levelModel());
    const alone = (await m.createSession({ backend: 'ref' })).run(new Float32Array(50).fill(1), 1);
    expect(Array.from(scored[2].scores)).toEqual(Array.from(alone));
    expect(scored[0].scores[1]).toBeLessThan(1e-4);
  });

  it('streaming models carry state across ticks: chunked scores equal one push of the whole', async () => {
    const t = table();
    const s = t.get('a', 'live', 0);
    const x = Array.from({ length: 6 }, (_, k) => frame(k, 10, Math.sin(k)));
    const last: number[] = [];
    for (const f of x) {
      for (const w of feed(s, [f])) streaming.queue.push(w);
      last.push(streaming.score(100)[0].scores[1]);
    }
    const m = await loadModel(levelModel({ mode: 'stream' }));
    const session = await m.createSession({ backend: 'ref', streams: 1 });
    const whole = session.push([0], [Float32Array.from(x.flatMap((f) => Array.from(f.samples)))]);
    expect(last[5]).toBe(whole[1]);
  });
});
