// Typed arrays over SharedArrayBuffers: what the coordinator and its worker threads both see.

export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

/** `values` itself if it already lives in shared memory, else a shared copy. */
export function sharedFloat64(values: Float64Array): Float64Array {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const shared = new Float64Array(new SharedArrayBuffer(values.length * Float64Array.BYTES_PER_ELEMENT));
  shared.set(values);
  return shared;
}
