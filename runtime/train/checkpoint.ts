// Checkpoints as JSON that round-trips every bit: Float64Arrays are stored as the
// base64 of their bytes (little-endian IEEE 754, exactly what is in memory), and
// numbers JSON cannot hold (±Infinity, NaN, −0) are tagged. Files are written with
// write-file-atomic: to a temporary file, fsync'd, then renamed over the old one, so
// a reader (or a resumed run) sees the old checkpoint or the new one, never half.
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';

const F64 = '$f64';
const NUM = '$num';

/** JSON text for `value`, with Float64Arrays and special numbers kept bit for bit. */
export function encodeCheckpoint(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Float64Array) return { [F64]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { [NUM]: Object.is(v, -0) ? '-0' : String(v) };
    return v;
  });
}

/** The inverse of {@link encodeCheckpoint}. */
export function decodeCheckpoint(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const tagged = v as Record<string, unknown>;
      if (typeof tagged[F64] === 'string') return float64FromBase64(tagged[F64]);
      if (typeof tagged[NUM] === 'string') return Number(tagged[NUM]);
    }
    return v;
  });
}

function float64FromBase64(text: string): Float64Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 8 !== 0) throw new RangeError('A Float64Array in the checkpoint has a byte length that is not a multiple of 8; the file is damaged.');
  // Copy into a fresh, aligned buffer (Buffer's pool offset need not be a multiple of 8).
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Writes `value` to `path` atomically (temp file + fsync + rename). */
export function saveCheckpoint(path: string, value: unknown): void {
  writeFileAtomic.sync(path, encodeCheckpoint(value));
}

/** Reads a checkpoint written by {@link saveCheckpoint}. */
export function loadCheckpoint(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the checkpoint ${path}: ${(error as Error).message}`);
  }
  try {
    return decodeCheckpoint(text);
  } catch (error) {
    throw new Error(`The checkpoint ${path} is not valid JSON (${(error as Error).message}); it was not written by saveCheckpoint.`);
  }
}
