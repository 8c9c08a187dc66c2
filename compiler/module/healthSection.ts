/**
 * What a `--health` build adds to the generated module for a function `f`
 * whose value-and-gradient kernel computes the statistics of
 * emit/healthStats.ts: the module-level buffer the kernel leaves them in
 * (`fHealthValues`, allocated once per set of sizes, never per call) and
 * `fHealth()`, which reads the last call's statistics in the documented shape
 * `GradcHealth` (the runtime trainer's `health: { compiled: fHealth }` reads
 * it). Without --health none of this is emitted: the module is unchanged.
 */
import type { HealthStats } from '../emit/healthStats.ts';
import { identifier, numberLiteral, stringLiteral } from '../emit/safeText.ts';
import type { Identifier } from '../emit/safeText.ts';
import type { SourceOrigin } from '../ir/origin.ts';

export const HEALTH_TYPE = 'GradcHealth';

export interface HealthNames {
  /** fHealth(): the last call's statistics. */
  readonly read: Identifier;
  /** Internal: the buffer the kernel leaves them in. */
  readonly values: Identifier;
}

export const healthNames = (f: string): HealthNames => ({ read: identifier(`${f}Health`), values: identifier(`${f}HealthValues`) });

/** The shape fHealth returns, once per module. */
export const HEALTH_TYPE_SOURCE = [
  '/** The statistics a --health build\'s value-and-gradient kernel computes at each call (see the fHealth functions). */',
  `export interface ${HEALTH_TYPE} {`,
  '  /** A tanh or sigmoid element is saturated when its derivative is below this. */',
  '  readonly saturation: number;',
  '  /**',
  '   * Each tanh, sigmoid and relu of the model (outside loop bodies), in the order computed, named by its model line:',
  '   * the share of its elements (units × examples) saturated, or the share of its units dead (0 for every example',
  '   * of the batch; the leading axis of a matrix is the batch).',
  '   */',
  "  readonly activations: readonly { readonly site: string; readonly text: string; readonly op: 'tanh' | 'sigmoid' | 'relu'; readonly measure: 'saturated' | 'dead'; readonly fraction: number }[];",
  '  /** Each loop carry: gradNorm[t] = ‖∂L/∂c‖ of the carry step t hands on, through the steps after it and the final state. */',
  '  readonly loops: readonly { readonly site: string; readonly text: string; readonly carry: string; readonly gradNorm: Float64Array }[];',
  '}',
].join('\n');

const site = (o: SourceOrigin): string => `site: ${stringLiteral(`${o.file}:${o.line}:${o.column}`)}, text: ${stringLiteral(o.text)}`;

/** The buffer and fHealth() of one function; `kernels` names the public functions that fill it. */
export function healthSection(names: HealthNames, stats: HealthStats, saturation: number, kernels: string): string {
  const a = stats.activations.length;
  const c = stats.loops.length;
  const v = 'v';
  const activations = stats.activations.map(
    (s, i) => `      { ${site(s.origin)}, op: ${stringLiteral(s.op)}, measure: ${stringLiteral(s.measure)}, fraction: ${v}[${i}]! },`,
  );
  const loops = stats.loops.map((s, k) => `      { ${site(s.origin)}, carry: ${stringLiteral(s.carry)}, gradNorm: next(${v}[${a + k}]!) },`);
  return [
    `let ${names.values}: Float64Array | undefined;`,
    '',
    `/** What the last call of ${kernels} measured (a --health build), or null before the first. The kernel fills a buffer allocated once; this copies it out. */`,
    `export function ${names.read}(): ${HEALTH_TYPE} | null {`,
    `  const ${v} = ${names.values};`,
    `  if (${v} === undefined) return null;`,
    ...(c === 0 ? [] : [`  // After a share per activation and a length per loop carry, the carries' norms, each as long as its loop.`, `  let at = ${a + c};`, `  const next = (length: number): Float64Array => ${v}.slice(at, (at += length));`]),
    '  return {',
    `    saturation: ${numberLiteral(saturation)},`,
    ...(a === 0 ? ['    activations: [],'] : ['    activations: [', ...activations, '    ],']),
    ...(c === 0 ? ['    loops: [],'] : ['    loops: [', ...loops, '    ],']),
    '  };',
    '}',
  ].join('\n');
}
