// Bytes on the wire: float64 vectors as their raw little-endian bytes (what is in
// memory on every platform Node runs on), a job as a length-prefixed JSON header
// followed by its example indices as int32, and the training set's fingerprint.
import { createHash } from 'node:crypto';
import type { Dataset } from '../../data/dataset.ts';

/** A copy of the vector's bytes (the caller keeps changing the vector while the client sends). */
export function float64Bytes(v: Float64Array): Buffer {
  return Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

/** Copies a blob into `out`, checking its length. */
export function readFloat64Into(bytes: Buffer, out: Float64Array, what: string): void {
  if (bytes.length !== out.byteLength) throw new Error(`Distributed training over Redis: ${what} has ${bytes.length} bytes where ${out.byteLength} (${out.length} float64) were expected; are the server and the worker running the same model?`);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
}

/** A fresh, aligned Float64Array with a blob's values. */
export function float64FromBytes(bytes: Buffer, what: string): Float64Array {
  if (bytes.length % 8 !== 0) throw new Error(`Distributed training over Redis: ${what} has ${bytes.length} bytes, not a whole number of float64.`);
  const out = new Float64Array(bytes.length / 8);
  readFloat64Into(bytes, out, what);
  return out;
}

export interface JobHeader {
  readonly generation: number;
  readonly job: number;
  readonly worker: number;
  /** The trainer's step (sync) or parameter version (async) the job is for: tags its result. */
  readonly step: number;
  readonly kind: 'gradient' | 'hvp';
  /** Blob key of the parameters to read. */
  readonly params: string;
  /** Blob key of v, for an 'hvp' job. */
  readonly vector?: string;
}

export function encodeJob(header: JobHeader, indices: Int32Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(4 + json.length + indices.byteLength);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  Buffer.from(indices.buffer, indices.byteOffset, indices.byteLength).copy(out, 4 + json.length);
  return out;
}

export function decodeJob(bytes: Buffer): { header: JobHeader; indices: Int32Array } {
  const length = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + length).toString('utf8')) as JobHeader;
  const body = bytes.subarray(4 + length);
  const indices = new Int32Array(body.length / 4);
  new Uint8Array(indices.buffer).set(body);
  return { header, indices };
}

/** Identifies a training set: server and workers must index the same rows. */
export function datasetFingerprint(data: Dataset): string {
  const hash = createHash('sha256');
  hash.update(`${data.count}x${data.features};`);
  hash.update(new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength));
  hash.update(new Uint8Array(data.y.buffer, data.y.byteOffset, data.y.byteLength));
  return `${data.count}x${data.features}:${hash.digest('hex').slice(0, 16)}`;
}
