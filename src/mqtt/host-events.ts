/**
 * What the host says to the world: the alert, error-report and models payloads
 * (docs/mqtt-topics.md), the events a library user listens to, and /healthz's body.
 */
import type { EpisodeEnd, EpisodeStart } from '../detect/episodes.js';
import { sha256Hex } from '../model/digest.js';
import type { ShareInfo } from './share.js';
import type { StreamState } from './streams.js';

/** The alert payload on `wavegate/v1/<device>/alerts` (docs/mqtt-topics.md). */
export interface Alert {
  /** Stable id of the episode (hex): the same episode of the same data always gets the same id. */
  id: string;
  device: string;
  stream: string;
  class: string;
  score: number;
  /** ms since the epoch: start of the episode's first positive window, end of the window that raised it. */
  start: number;
  end: number;
  model: string;
  /** First 16 hex digits of the model file's verified digest. */
  modelVersion: string;
  /** seq of the frame that completed the raising window. */
  seq: number;
}

/** The errors-topic payload. */
export interface ErrorReport {
  device: string;
  stream: string;
  code: string;
  message: string;
  /** E_MODEL_UPDATE only: the library's code for why (E_MODEL_DIGEST, E_MODEL_FORMAT, ...). */
  reason?: string;
  /** E_MODEL_UPDATE only: the served model the update was for. */
  model?: string;
}

/** The `wavegate/v1/_node/<node-id>/models` payload (retained): what the host serves now. */
export interface ModelsReport {
  models: Array<{ name: string; version: string; source: 'file' | 'update'; since: number }>;
}

export interface HostEvents {
  alert: [Alert];
  /** An episode ended (logged; not published). */
  episodeEnd: [EpisodeEnd & { device: string; stream: string; model: string }];
  /** Every refusal and drop, whether or not the rate limit let it onto the errors topic. */
  reject: [ErrorReport];
  /** A window scored (only built when someone listens). */
  scored: [{ device: string; stream: string; model: string; start: number; end: number; seq: number; scores: Float32Array; latencyMs: number }];
  /** The host cannot go on (a kernel failure); it keeps its connection but scores nothing more. */
  fatal: [Error];
  /** A model update was verified and swapped in. */
  modelUpdated: [{ model: string; version: string; previous: string; streamsKept: number; streamsRestarted: number }];
}

/** `host.health()`: what /healthz returns (src/ops/http.ts). */
export interface HostHealth {
  /** All of the below are fine. */
  ok: boolean;
  broker: { connected: boolean; url: string };
  model: { loaded: boolean; names: string[]; failed: boolean };
  outbox: { kind: 'memory' | 'disk'; alerts: number; bytes: number; maxAlerts: number; maxBytes: number; full: boolean };
  stopping: boolean;
  /** Scale-out (shareGroup): the group's live members and this host's devices. */
  share?: ShareInfo;
}

/**
 * The alert for an episode that started. Its id hashes what identifies the episode (device,
 * stream, class, start, model), so a replay of the same data gives the same id and consumers
 * can drop a duplicate delivered again after a reconnect.
 */
export function alertFor(st: StreamState, e: EpisodeStart): Alert {
  const m = st.model;
  const start = Math.round(e.start);
  return {
    id: sha256Hex(new TextEncoder().encode(`${st.device}\n${st.stream}\n${e.class}\n${start}\n${m.name}`)).slice(0, 32),
    device: st.device,
    stream: st.stream,
    class: e.class,
    score: Math.round(e.score * 1e6) / 1e6,
    start,
    end: Math.round(e.end),
    model: m.name,
    modelVersion: m.version,
    seq: e.seq,
  };
}
