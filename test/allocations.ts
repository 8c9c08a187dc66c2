/**
 * Counts `new Float64Array(…)` while `run` executes, by swapping the global
 * constructor for a counting Proxy: the kernels' "no allocation in steady
 * state" promise is checked by count, never by timing.
 */
export function countFloat64Arrays(run: () => void): number {
  const Original = globalThis.Float64Array;
  let constructed = 0;
  globalThis.Float64Array = new Proxy(Original, {
    construct(target, args: unknown[]) {
      constructed++;
      return Reflect.construct(target, args) as object;
    },
  });
  try {
    run();
  } finally {
    globalThis.Float64Array = Original;
  }
  return constructed;
}
