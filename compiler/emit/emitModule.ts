/**
 * The kernel emitter: one TypeScript function per kernel spec (scalar
 * kernels here, tensor kernels by loops/tensorKernel.ts), strict-mode clean
 * (unused parameters are prefixed with `_`), byte-identical for identical
 * input, and the helper functions they call, each once. The generated module
 * around them is module/emitModelModule.ts's.
 */
import { HELPER_SOURCE } from '../ir/helpers.ts';
import type { HelperName } from '../ir/helpers.ts';
import type { InputNode, Node } from '../ir/node.ts';
import { topoSort } from '../ir/program.ts';
import { twinPrologue } from './finiteTwin.ts';
import { FINITE_CHECK_HELPERS, FINITE_CHECK_SOURCE, SCALAR_CHECK_CALLS, isChecked, scalarCheck, unobserved } from './finiteChecks.ts';
import type { FiniteChecks } from './finiteChecks.ts';
import { buildListing } from './listing.ts';
import { GEMM_SOURCE } from './loops/gemm.ts';
import { emitTensorKernel, helpersOf, isTensorKernel, kernelRoots } from './loops/tensorKernel.ts';
import { NameManager } from './names.ts';
import { SourceComments } from './sourceComments.ts';
import { comment, docComment, identifier, lineComment } from './safeText.ts';
import type { CommentText, Identifier } from './safeText.ts';

/**
 * What a kernel is emitted from. Text that may hold user text is typed as a
 * fragment of the safe-text gate (emit/safeText.ts); input names are read
 * off the IR and claimed through a NameManager, which checks them.
 */
export interface KernelSpec {
  readonly name: Identifier;
  /** JSDoc text, one paragraph. */
  readonly doc: CommentText;
  readonly params: readonly InputNode[];
  /** A scalar to return. */
  readonly returns?: Node;
  /** Values written into a caller-provided (or fresh) Float64Array parameter. */
  readonly writes?: { readonly param: Identifier; readonly nodes: readonly Node[]; readonly labels: readonly CommentText[] };
  /** Default true; a kernel called only through a checked wrapper in the same module is not exported. */
  readonly exported?: boolean;
  /** Finiteness checks after every value (the checkFinite build); none when absent. */
  readonly checks?: FiniteChecks;
  /** Start with the hook that hands the call to a checkFinite twin while the runtime diagnoses a step (plain model-file builds; finiteTwin.ts). */
  readonly twin?: boolean;
  /** Values also computed by the kernel (a --health build: healthStats.ts), written into a buffer allocated once and left in the module-level `target`. */
  readonly health?: HealthWrites;
}

export interface HealthWrites {
  readonly nodes: readonly Node[];
  /** A module-level `let target: Float64Array | undefined`. */
  readonly target: Identifier;
}

/**
 * Parameter names: each input keeps its name unless that would shadow what
 * the kernel itself uses (Math, a helper, a reserved word), then it gets a
 * numbered variant; kernels are called positionally, so only the text changes.
 * The output array is named last, around the inputs.
 */
export function claimParameterNames(k: KernelSpec, names: NameManager): { params: Map<Node, Identifier>; out: Identifier | undefined } {
  const params = new Map<Node, Identifier>(k.params.map((p) => [p, names.claim(p.name)]));
  return { params, out: k.writes === undefined ? undefined : names.claim(k.writes.param) };
}

/** A scalar kernel's text; the finiteness-check helpers it calls are added to `calls`. */
function emitKernel(k: KernelSpec, helpers: readonly string[], calls: Set<string>): string {
  const live = new Set(topoSort(kernelRoots(k)));
  const names = new NameManager(helpers);
  const { params: paramNames, out } = claimParameterNames(k, names);
  const { checks } = k;
  const listing = buildListing(kernelRoots(k), 'ts', names, new Map(), paramNames, { bindAll: checks !== undefined });
  // An unread parameter keeps its place in the signature, marked unused (claimed, so it cannot clash with a parameter `_x`).
  const params = k.params.map((p) => `${live.has(p) ? paramNames.get(p)! : names.claim(`_${paramNames.get(p)!}`)}: number`);
  const comments = new SourceComments();
  const hidden = checks === undefined ? new Set<Node>() : unobserved(kernelRoots(k));
  const check = (b: { name: string; node: Node }): string[] => {
    if (checks === undefined || !isChecked(b.node, hidden)) return [];
    SCALAR_CHECK_CALLS.forEach((h) => calls.add(h));
    return [scalarCheck(b.node, b.name, k.name, checks)];
  };
  const lines = listing.bindings.flatMap((b) => [...comments.before(b.node), `const ${b.name} = ${b.text};`, ...check(b)]).map((l) => `  ${l}`);
  let returnType = 'number';
  if (k.writes !== undefined) {
    const { nodes, labels } = k.writes;
    const param = out!;
    params.push(`${param}: Float64Array = new Float64Array(${nodes.length})`);
    nodes.forEach((n, i) => lines.push(...[...comments.before(n), `${param}[${i}] = ${listing.roots[i]}; ${lineComment(labels[i]!)}`].map((l) => `  ${l}`)));
    if (k.returns === undefined) {
      lines.push(`  return ${param};`);
      returnType = 'Float64Array';
    }
  }
  const written = k.writes?.nodes.length ?? 0;
  if (k.health !== undefined) {
    // Every size is a literal in a scalar kernel: one buffer, allocated at the first call.
    const { nodes, target } = k.health;
    const buffer = names.claim('health');
    lines.push(`  const ${buffer} = (${target} ??= new Float64Array(${nodes.length}));`);
    const first = written + (k.returns === undefined ? 0 : 1);
    nodes.forEach((_, i) => lines.push(`  ${buffer}[${i}] = ${listing.roots[first + i]};`));
  }
  if (k.returns !== undefined) {
    lines.push(...[...comments.before(k.returns), `return ${listing.roots[written]};`].map((l) => `  ${l}`));
  }
  if (k.twin === true) lines.unshift(...twinPrologue(k.name, returnType).map((l) => `  ${l}`));
  return [
    docComment([k.doc]),
    `${k.exported === false ? '' : 'export '}function ${identifier(k.name)}(${params.join(', ')}): ${returnType} {`,
    ...lines,
    '}',
  ].join('\n');
}

/** The kernels' text, and the helper functions (sorted by name) they call, each emitted once per module. */
export function emitKernels(specs: readonly KernelSpec[]): { kernels: string[]; helperNames: string[]; helpers: string[] } {
  // Names kept free in scalar kernels; a module defines only the helpers its kernels call.
  const checkHelpers: readonly string[] = specs.some((k) => k.checks !== undefined) ? FINITE_CHECK_HELPERS : [];
  const reserved = [...helpersOf(topoSort(specs.flatMap(kernelRoots))), ...checkHelpers];
  // Tensor kernels say what they call (after pruning their loops); a scalar kernel calls those of its nodes.
  const called = helpersOf(topoSort(specs.filter((k) => !isTensorKernel(k)).flatMap(kernelRoots)));
  const kernels = specs.map((k) => {
    if (!isTensorKernel(k)) return emitKernel(k, reserved, called);
    const emitted = emitTensorKernel(k);
    emitted.helpers.forEach((h) => called.add(h));
    return emitted.text;
  });
  const helperNames = [...called].sort();
  const source = (h: string): string =>
    h === 'gemm' ? GEMM_SOURCE : ((FINITE_CHECK_SOURCE as Readonly<Record<string, string>>)[h] ?? HELPER_SOURCE[h as HelperName]);
  return { kernels, helperNames, helpers: helperNames.map(source) };
}

/** The first line of every generated module; `source` (a file name or an expression) is the user's text. */
export const generatedHeader = (version: string, source: string): string =>
  lineComment(`Code generated by gradc ${version} from ${comment(source)}. DO NOT EDIT.`);
