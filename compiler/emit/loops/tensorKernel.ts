/**
 * A kernel over tensors: loops over Float64Array, buffers in a workspace
 * allocated once per distinct set of symbolic sizes (so a steady-state call
 * allocates nothing), outputs written straight into the caller's array.
 */
import type { InputNode, Node } from '../../ir/node.ts';
import { OP_TABLE } from '../../ir/opTable.ts';
import { topoSort } from '../../ir/program.ts';
import { bodyOf, bodyRoots } from '../../ir/scanBody.ts';
import { claimParameterNames } from '../emitModule.ts';
import type { HealthWrites, KernelSpec } from '../emitModule.ts';
import { NameManager, capitalize } from '../names.ts';
import { twinPrologue } from '../finiteTwin.ts';
import { BUFFER_CHECK_CALLS, FINITE_CHECK_HELPERS, SCALAR_CHECK_CALLS, bufferCheck, isChecked, scalarCheck, unobserved } from '../finiteChecks.ts';
import { UnsafeNameError } from '../safeText.ts';
import { SourceComments } from '../sourceComments.ts';
import { plusIndex, sizeExpr, symbolsOf } from './dims.ts';
import { planKernel } from './plan.ts';
import { pruneLoops } from './pruneLoops.ts';
import type { Placement } from './plan.ts';
import { readElement } from './reads.ts';
import type { StatementContext } from './statements.ts';
import { statementFor } from './statements.ts';

/** Offsets of consecutive values in a flat output: numbers folded, symbols kept. */
export function offsets(nodes: readonly Node[]): string[] {
  let numeric = 0;
  const symbolic: string[] = [];
  return nodes.map((n) => {
    const here = [...(numeric === 0 && symbolic.length > 0 ? [] : [String(numeric)]), ...symbolic].join(' + ');
    const size = sizeExpr(n.shape);
    if (/^\d+$/.test(size)) numeric += Number(size);
    else symbolic.push(size.includes(' ') ? `(${size})` : size);
    return here === '' ? '0' : here;
  });
}

export const isTensorKernel = (k: KernelSpec): boolean =>
  k.params.some((p) => p.shape.length > 0) || topoSort(kernelRoots(k)).some((n) => n.shape.length > 0 || n.op === 'scan');

export function kernelRoots(k: KernelSpec): Node[] {
  return [...(k.writes?.nodes ?? []), ...(k.returns !== undefined ? [k.returns] : []), ...(k.health?.nodes ?? [])];
}

export interface EmittedKernel {
  readonly text: string;
  /** Helper functions the kernel calls (emitted once per module). */
  readonly helpers: ReadonlySet<string>;
}

const paramType = (p: InputNode) => (p.shape.length > 0 ? 'Float64Array' : 'number');

/** The kernel over its roots with dead loop parts removed (pruneLoops.ts); its checks follow the rebuilt nodes. */
function withPrunedLoops(k: KernelSpec): KernelSpec {
  const { roots, replaced } = pruneLoops(kernelRoots(k));
  if (replaced.size === 0) return k;
  const nodes = k.writes?.nodes.length ?? 0;
  const primal = k.checks === undefined ? undefined : new Set([...k.checks.primal].map((n) => replaced.get(n) ?? n));
  const health = nodes + (k.returns === undefined ? 0 : 1);
  return {
    ...k,
    ...(k.writes === undefined ? {} : { writes: { ...k.writes, nodes: roots.slice(0, nodes) } }),
    ...(k.returns === undefined ? {} : { returns: roots[nodes]! }),
    ...(k.health === undefined ? {} : { health: { ...k.health, nodes: roots.slice(health) } }),
    ...(k.checks === undefined ? {} : { checks: { ...k.checks, primal: primal! } }),
  };
}

export function emitTensorKernel(spec: KernelSpec): EmittedKernel {
  // The sizes are the signature every caller of the kernel computes (kernelSizes), taken before pruning.
  const sizes = symbolsOf([...spec.params.map((p) => p.shape), ...topoSort(kernelRoots(spec)).map((n) => n.shape)]);
  const k = withPrunedLoops(spec);
  const roots = kernelRoots(k);
  const order = topoSort(roots);
  const helpers = helpersOf(order);
  const clash = sizes.find((s) => s === 'gemm' || helpers.has(s));
  if (clash !== undefined) throw new UnsafeNameError(`the named size '${clash}' is the name of a helper function of the generated module; rename the size`);
  // Sizes are parameters named by the user: claimed first, so the kernel's own locals give way.
  const names = new NameManager([...sizes, 'gemm', ...helpers, ...(k.checks === undefined ? [] : FINITE_CHECK_HELPERS)]);
  const ws = names.claim('ws');
  const rowLocals = { row: names.claim('r'), column: names.claim('c'), dst: names.claim('dst'), src: names.claim('src') };
  const { params: paramNames, out: outParam } = claimParameterNames(k, names);
  const placements = new Map<Node, Placement>();
  const writeOffsets = k.writes ? offsets(k.writes.nodes) : [];
  k.writes?.nodes.forEach((n, i) => {
    if (n.shape.length > 0 && !placements.has(n) && n.op !== 'input' && n.op !== 'const') {
      placements.set(n, { array: outParam!, offset: writeOffsets[i]! });
    }
  });
  // Kernels with loops keep their usual plan (materializing around loop nodes is not tested yet): their values in memory and bound locals are still checked, loop results at the loop line.
  const materialize = k.checks !== undefined && !order.some((n) => n.op === 'scan');
  const plan = planKernel(roots, placements, (preferred) => names.claim(preferred), materialize);
  const nodeNames = new Map<Node, string>();
  for (const p of k.params) nodeNames.set(p, paramNames.get(p)!);
  for (const node of order) {
    const s = plan.storage.get(node)!;
    if (s.kind === 'scalar' && s.bound) nodeNames.set(node, names.temporary());
  }
  const scratchSlots: { name: string; size: string }[] = [];
  const ctx: StatementContext = {
    storage: plan.storage,
    names: nodeNames,
    loopVars: ['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7'].map((v) => names.claim(v)),
    flatVar: names.claim('i'),
    scratch: (size) => {
      const name = names.claim('lseMax');
      if (size !== 'scalar') scratchSlots.push({ name, size });
      return name;
    },
    claim: (preferred) => names.claim(preferred),
    temporary: () => names.temporary(),
    addSlot: (name, size) => scratchSlots.push({ name, size }),
    tapes: new Map(),
    rowLocals,
  };
  const body: string[] = [];
  const comments = new SourceComments();
  const helpersCalled = helpersOf(order);
  const check = k.checks === undefined ? null : checkFor(k, ctx, names.claim('firstBad'), helpersCalled);
  // The plan's order: the results of one loop are computed together.
  for (const node of plan.order) {
    const statement = statementFor(node, ctx);
    const alias = plan.aliases.get(node);
    const aliasLine = alias === undefined ? [] : [`const ${alias.name} = ${alias.of};`];
    if (statement.length > 0) body.push(...comments.before(node), ...aliasLine, ...statement);
    else body.push(...aliasLine);
    if (check !== null) body.push(...check(node));
  }
  body.push(...writeOutputs(k, outParam, writeOffsets, plan.storage, ctx));
  if (k.health !== undefined) body.push(...writeHealth(k.health, names.claim('health'), ctx));
  if (k.returns !== undefined) body.push(`return ${readElement(k.returns, { shape: [], indices: [] }, ctx).text};`);

  const slots = [...plan.slots, ...scratchSlots];
  const workspace = slots.length > 0 ? workspaceCode(k.name, sizes, slots) : null;
  if (workspace !== null) {
    body.unshift(`const ${ws} = ${workspace.fn}(${sizes.join(', ')});`, ...slots.map((s) => `const ${s.name} = ${ws}.${s.name};`));
  }
  // Kernels of one function take the same sizes (see kernelSizes); one the body never reads keeps its place, marked unused.
  const read = workspace !== null ? new Set(sizes) : sizesReadBy(order);
  const params = [
    ...k.params.map((p) => `${order.includes(p) ? paramNames.get(p)! : names.claim(`_${paramNames.get(p)!}`)}: ${paramType(p)}`),
    ...sizes.map((s) => `${read.has(s) ? s : names.claim(`_${s}`)}: number`),
  ];
  let returnType = 'number';
  if (k.writes !== undefined) {
    params.push(`${outParam}: Float64Array = new Float64Array(${totalSize(k.writes.nodes)})`);
    if (k.returns === undefined) {
      body.push(`return ${outParam};`);
      returnType = 'Float64Array';
    }
  }
  if (k.twin === true) body.unshift(...twinPrologue(k.name, returnType));
  const fn = [
    `/** ${k.doc} */`,
    `${k.exported === false ? '' : 'export '}function ${k.name}(${params.join(', ')}): ${returnType} {`,
    ...body.map((l) => `  ${l}`),
    '}',
  ].join('\n');
  return { text: workspace === null ? fn : `${workspace.text}\n\n${fn}`, helpers: helpersCalled };
}

/**
 * The check after the statement computing `node` (checkFinite): its local, or
 * its values in memory. The helpers each check calls are added to `calls`.
 */
function checkFor(k: KernelSpec, ctx: StatementContext, local: string, calls: Set<string>): (node: Node) => string[] {
  const checks = k.checks!;
  const hidden = unobserved(kernelRoots(k));
  const calling = (helpers: readonly string[], line: string): string[] => {
    helpers.forEach((h) => calls.add(h));
    return [line];
  };
  return (node) => {
    const s = ctx.storage.get(node)!;
    if (!isChecked(node, hidden)) return [];
    if (s.kind === 'scalar' && s.bound) return calling(SCALAR_CHECK_CALLS, scalarCheck(node, ctx.names.get(node)!, k.name, checks));
    if (s.kind === 'buffer') return calling(BUFFER_CHECK_CALLS, bufferCheck(node, s.array, s.offset, sizeExpr(node.shape), local, k.name, checks));
    return [];
  };
}

/** A --health build's statistics, into a workspace buffer of their own that the module-level target then holds. */
function writeHealth(h: HealthWrites, buffer: string, ctx: StatementContext): string[] {
  ctx.addSlot(buffer, totalSize(h.nodes));
  const at = offsets(h.nodes);
  const i = ctx.flatVar;
  const lines = h.nodes.map((n, idx) =>
    n.shape.length === 0
      ? `${buffer}[${at[idx]}] = ${readElement(n, { shape: [], indices: [] }, ctx).text};`
      : `for (let ${i} = 0; ${i} < ${sizeExpr(n.shape)}; ${i}++) ${buffer}[${plusIndex(at[idx]!, i)}] = ${readElement(n, { shape: n.shape, indices: null, flat: i }, ctx).text};`,
  );
  return [...lines, `${h.target} = ${buffer};`];
}

function totalSize(nodes: readonly Node[]): string {
  return plusIndex(...nodes.map((n) => sizeExpr(n.shape)));
}

function writeOutputs(
  k: KernelSpec,
  param: string | undefined,
  writeOffsets: readonly string[],
  storage: StatementContext['storage'],
  ctx: StatementContext,
): string[] {
  if (k.writes === undefined || param === undefined) return [];
  const { nodes, labels } = k.writes;
  const lines: string[] = [];
  // Values computed straight into the output get one note, not a comment line each with no code under it.
  const inPlace: string[] = [];
  nodes.forEach((n, idx) => {
    const s = storage.get(n)!;
    const off = writeOffsets[idx]!;
    if (s.kind === 'buffer' && s.array === param && s.offset === off) {
      inPlace.push(`${labels[idx]} at ${param}[${off}]`);
      return;
    }
    if (n.shape.length === 0) {
      lines.push(`${param}[${off}] = ${readElement(n, { shape: [], indices: [] }, ctx).text}; // ${labels[idx]}`);
      return;
    }
    const i = ctx.flatVar;
    const dst = plusIndex(off, i);
    lines.push(`for (let ${i} = 0; ${i} < ${sizeExpr(n.shape)}; ${i}++) ${param}[${dst}] = ${readElement(n, { shape: n.shape, indices: null, flat: i }, ctx).text}; // ${labels[idx]}`);
  });
  return inPlace.length === 0 ? lines : [`// written in place: ${inPlace.join(', ')}`, ...lines];
}

/**
 * The workspace: one object of buffers per distinct set of sizes, cached,
 * with the most recent one checked first so a steady-state call allocates
 * nothing (not even the cache key).
 */
function workspaceCode(kernel: string, sizes: readonly string[], slots: readonly { name: string; size: string }[]) {
  const type = `${capitalize(kernel)}Workspace`;
  const fn = `${kernel}Workspace`;
  // The function's parameters are the named sizes; its locals give way to them.
  const locals = new NameManager(sizes);
  const [last, key, ws] = [locals.claim('last'), locals.claim('key'), locals.claim('ws')];
  const fields = [...sizes.map((s) => `readonly ${s}: number;`), ...slots.map((s) => `readonly ${s.name}: Float64Array;`)];
  const same = `${last} !== undefined && ${sizes.map((s) => `${last}.${s} === ${s}`).join(' && ')}`;
  const keyText = `\`${sizes.map((s) => `\${${s}}`).join(',')}\``;
  const allocate = `{ ${[...sizes, ...slots.map((s) => `${s.name}: new Float64Array(${s.size})`)].join(', ')} }`;
  const header = [`interface ${type} {`, ...fields.map((f) => `  ${f}`), '}'];
  if (sizes.length === 0) {
    // Every size is fixed: one set of buffers, allocated at the first call, serves all calls.
    const text = [
      ...header,
      `let ${fn}Buffers: ${type} | undefined;`,
      `function ${fn}(): ${type} {`,
      `  ${fn}Buffers ??= ${allocate};`,
      `  return ${fn}Buffers;`,
      '}',
    ].join('\n');
    return { fn, text };
  }
  const text = [
    ...header,
    `const ${fn}s = new Map<string, ${type}>();`,
    `let ${fn}Last: ${type} | undefined;`,
    `function ${fn}(${sizes.map((s) => `${s}: number`).join(', ')}): ${type} {`,
    `  const ${last} = ${fn}Last;`,
    `  if (${same}) return ${last};`,
    `  const ${key} = ${keyText};`,
    `  let ${ws} = ${fn}s.get(${key});`,
    `  if (${ws} === undefined) {`,
    `    ${ws} = ${allocate};`,
    `    ${fn}s.set(${key}, ${ws});`,
    '  }',
    `  ${fn}Last = ${ws};`,
    `  return ${ws};`,
    '}',
  ].join('\n');
  return { fn, text };
}

/**
 * The named sizes code computing `order` can mention: those in the shapes and
 * the attributes (a loop's length, a `dimSize`) of its nodes, loop bodies
 * included. Sizes reach the kernel's text only from the IR, so a size outside
 * this set is never read.
 */
export function sizesReadBy(order: readonly Node[], read = new Set<string>()): Set<string> {
  const add = (v: unknown): void => {
    if (typeof v === 'string') read.add(v);
    else if (Array.isArray(v)) v.forEach(add);
  };
  for (const node of order) {
    for (const d of node.shape) add(d);
    if (node.op === 'const' || node.op === 'input') continue;
    Object.values(node.attrs).forEach(add);
    if (node.op === 'scan') sizesReadBy(topoSort(bodyRoots(bodyOf(node.attrs['body'] as string))), read);
  }
  return read;
}

/** Helper functions (stable primitives, gemm) that code computing `order` calls. */
export function helpersOf(order: readonly Node[]): Set<string> {
  const used = new Set<string>();
  // A loop's body is emitted inside the kernel too: bodies are a worklist, not
  // recursion, so loops nested thousands deep do not overflow; each body once.
  const bodies: string[] = [];
  const seen = new Set<string>();
  for (let nodes: readonly Node[] | undefined = order; nodes !== undefined; ) {
    for (const node of nodes) {
      if (node.op === 'const' || node.op === 'input') continue;
      const def = OP_TABLE[node.op];
      if (def.emission?.kind === 'matmul') used.add('gemm');
      const helper = def.helper;
      if (helper !== undefined) used.add(helper);
      const body = node.op === 'scan' ? (node.attrs['body'] as string) : undefined;
      if (body !== undefined && !seen.has(body)) {
        seen.add(body);
        bodies.push(body);
      }
    }
    const next = bodies.pop();
    nodes = next === undefined ? undefined : topoSort(bodyRoots(bodyOf(next)));
  }
  return used;
}
