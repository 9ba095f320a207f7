/**
 * Size caps the loader enforces before allocating anything. A hostile file can claim any size
 * in its u64 header length or its shapes; these bound what we accept. Defaults fit every model
 * the edge runtime is for with a wide margin (the largest useful edge LSTM is a few MB).
 */
export interface ModelLimits {
  /** Largest accepted file (bytes). Default 256 MiB. */
  maxBytes: number;
  /** Largest JSON header (bytes). Default 16 MiB. */
  maxHeaderBytes: number;
  /** Largest hidden size of a recurrent layer. Default 4096. */
  maxHidden: number;
  /** Largest feature count anywhere (input channels, dense in/out, layer norm size). Default 65536. */
  maxFeatures: number;
  /** Most layers. Default 64. */
  maxLayers: number;
  /** Most tensors in the table. Default 1024. */
  maxTensors: number;
  /** Largest window length (samples). Default 2^20. */
  maxWindow: number;
}

export const DEFAULT_LIMITS: Readonly<ModelLimits> = Object.freeze({
  maxBytes: 256 * 1024 * 1024,
  maxHeaderBytes: 16 * 1024 * 1024,
  maxHidden: 4096,
  maxFeatures: 65536,
  maxLayers: 64,
  maxTensors: 1024,
  maxWindow: 1 << 20,
});
