/**
 * One statement (a loop nest, or a call of the matrix-product helper) per
 * value the plan keeps in memory or binds to a local. Elementwise work is
 * fused into the loop that consumes it; each structural op names its template
 * in the op table (`emission`, ir/loopEmission.ts).
 */
import type { ApplyNode, Node } from '../../ir/node.ts';
import { OP_TABLE } from '../../ir/opTable.ts';
import { renderNumber } from '../render.ts';
import { keptShape } from '../../ir/buildTensor.ts';
import { indexArgumentName } from '../../ir/indexCheck.ts';
import { stringLiteral } from '../safeText.ts';
import { broadcastStrideExprs, dimExpr, indexExpr, plusIndex, productExpr, sizeExpr, strideExprs, timesIndex } from './dims.ts';
import type { Storage } from './plan.ts';
import { elementIndex, flatReadable, memoryOf, readElement, renderInline } from './reads.ts';
import type { LoopIndex, ReadContext } from './reads.ts';
import type { Dim, Shape } from '../../ir/shape.ts';
import type { LoopEmission } from '../../ir/loopEmission.ts';
import { scanStatement } from './scan.ts';
import { indexVectorStatement, matrixStructureStatement, triangularSolveStatement } from './matrixStatements.ts';

export interface StatementContext extends ReadContext {
  /** Loop variable names, claimed once per kernel so they never shadow a parameter. */
  readonly loopVars: readonly string[];
  readonly flatVar: string;
  /** A scratch buffer of `size` elements for this statement (log-sum-exp's maxima). */
  readonly scratch: (size: string) => string;
  /** A fresh name in the kernel (loop variables and buffers of loops). */
  readonly claim: (preferred: string) => string;
  /** A fresh numbered temporary. */
  readonly temporary: () => string;
  /** Adds a workspace buffer of `size` elements named `name`. */
  readonly addSlot: (name: string, size: string) => void;
  /** Snapshot buffers of each checkpointed loop (by loop key), for the backward loops that read them. */
  readonly tapes: Map<string, readonly string[]>;
  /**
   * Locals of the row-copy blocks (gather, scatter-add, one-hot), claimed
   * after the kernel's named sizes so a size called `r` or `c` is never shadowed.
   */
  readonly rowLocals: { readonly row: string; readonly column: string; readonly dst: string; readonly src: string };
}

type Target = { readonly array: string; readonly offset: string };

export const at = (t: Target, index: string) => `${t.array}[${plusIndex(t.offset, index)}]`;

export function indent(lines: readonly string[], by = '  '): string[] {
  return lines.map((l) => by + l);
}

/** Nested loops over `shape`, the body given the per-axis index names. */
function loopNest(shape: Shape, ctx: StatementContext, body: (loop: LoopIndex) => string[]): string[] {
  const indices = shape.map((_, k) => ctx.loopVars[k]!);
  let lines = body({ shape, indices });
  for (let k = shape.length - 1; k >= 0; k--) {
    lines = [`for (let ${indices[k]} = 0; ${indices[k]} < ${dimExpr(shape[k]!)}; ${indices[k]}++) {`, ...indent(lines), '}'];
  }
  return lines;
}

function flatLoop(size: string, ctx: StatementContext, body: (loop: LoopIndex, shape: Shape) => string[], shape: Shape): string[] {
  const i = ctx.flatVar;
  return [`for (let ${i} = 0; ${i} < ${size}; ${i}++) {`, ...indent(body({ shape, indices: null, flat: i }, shape)), '}'];
}

export function targetOf(node: Node, ctx: StatementContext): Target {
  const s = ctx.storage.get(node)! as Extract<Storage, { kind: 'buffer' }>;
  return { array: s.array, offset: s.offset };
}

const asStored = (node: Node, text: string): string => (node.dtype === 'bool' ? `${text} ? 1 : 0` : text);

function elementwise(node: ApplyNode, ctx: StatementContext): string[] {
  const out = targetOf(node, ctx);
  if (flatReadable(node, node.shape, ctx)) {
    return flatLoop(sizeExpr(node.shape), ctx, (loop) => [`${at(out, ctx.flatVar)} = ${asStored(node, renderInline(node, loop, ctx).text)};`], node.shape);
  }
  return loopNest(node.shape, ctx, (loop) => [
    `${at(out, elementIndex(node.shape, loop))} = ${asStored(node, renderInline(node, loop, ctx).text)};`,
  ]);
}

/** The reduced value's slot, as an index over the input's loop. */
function reducedIndex(node: ApplyNode, loop: LoopIndex): string {
  const axes = node.attrs['axes'] as number[];
  const x = node.inputs[0]!;
  const strides = strideExprs(keptShape(x.shape, axes)).map((s, k) => (axes.includes(k) ? '0' : s));
  return indexExpr(loop.indices!, strides);
}

type Reduce = Extract<LoopEmission, { kind: 'reduce' }>;
const combine = (how: Reduce['combine'], acc: string, v: string): string =>
  how === 'sum' ? `${acc} += ${v};` : `${acc} = Math.${how === 'min' ? 'min' : 'max'}(${acc}, ${v});`;

function reduction(node: ApplyNode, how: Reduce, ctx: StatementContext): string[] {
  const x = node.inputs[0]!;
  const scalarOut = node.shape.length === 0;
  const out: Target = scalarOut ? { array: '', offset: '0' } : targetOf(node, ctx);
  const name = ctx.names.get(node);
  const slot = (loop: LoopIndex) => (scalarOut ? name! : at(out, reducedIndex(node, loop)));
  const init = how.init;
  const start = scalarOut ? [`let ${name} = ${init};`] : [`${out.array}.fill(${init}, ${out.offset}, ${plusIndex(out.offset, sizeExpr(node.shape))});`];
  const pass = (accumulate: (slotText: string, xText: string) => string) =>
    loopNest(x.shape, ctx, (loop) => [accumulate(slot(loop), readElement(x, loop, ctx).text)]);
  if (how.combine !== 'logSumExp') return [...start, ...pass((s, v) => combine(how.combine, s, v))];
  // log Σ exp(x) = m + log Σ exp(x - m), with m the maximum, so nothing overflows.
  const m = scalarOut ? ctx.scratch('scalar') : ctx.scratch(sizeExpr(node.shape));
  const mAt = (loop: LoopIndex) => (scalarOut ? m : `${m}[${reducedIndex(node, loop)}]`);
  const maxStart = scalarOut ? [`let ${m} = -Infinity;`] : [`${m}.fill(-Infinity);`];
  const maxPass = loopNest(x.shape, ctx, (loop) => [combine('max', mAt(loop), readElement(x, loop, ctx).text)]);
  const sumStart = scalarOut ? [`let ${name} = 0;`] : [`${out.array}.fill(0, ${out.offset}, ${plusIndex(out.offset, sizeExpr(node.shape))});`];
  const sumPass = loopNest(x.shape, ctx, (loop) => [`${slot(loop)} += Math.exp(${readElement(x, loop, ctx).text} - ${mAt(loop)});`]);
  const finish = (s: string, mv: string) => `${s} = ${mv} === Infinity || ${mv} === -Infinity ? ${mv} : ${mv} + Math.log(${s});`;
  const final = scalarOut
    ? [finish(name!, m)]
    : flatLoop(sizeExpr(node.shape), ctx, () => [finish(at(out, ctx.flatVar), `${m}[${ctx.flatVar}]`)], node.shape);
  return [...maxStart, ...maxPass, ...sumStart, ...sumPass, ...final];
}

/** op(X) for matmul: memory, offset and the strides that read it as a matrix. */
function matrixOperand(x: Node, ctx: StatementContext, rows: string, cols: string) {
  const s = ctx.storage.get(x)!;
  if (s.kind === 'transposed') {
    const base = memoryOf(x.inputs[0]!, ctx)!;
    return { ...base, row: '1', col: rows };
  }
  const memory = memoryOf(x, ctx);
  if (memory === null) throw new Error(`internal: matmul operand ${x.op} is not in memory`);
  return { ...memory, row: cols, col: '1' };
}

function matmul(node: ApplyNode, ctx: StatementContext): string[] {
  const [a, b] = node.inputs as [Node, Node];
  const r = node.shape.length;
  const [m, n, k] = [dimExpr(node.shape[r - 2]!), dimExpr(node.shape[r - 1]!), dimExpr(a.shape[r - 1]!)];
  const A = matrixOperand(a, ctx, m, k);
  const B = matrixOperand(b, ctx, k, n);
  const C = targetOf(node, ctx);
  const batch = productExpr(node.shape.slice(0, r - 2));
  const off = (base: string, step: string) => (batch === '1' ? base : plusIndex(base, timesIndex(ctx.flatVar, step)));
  const call = (ao: string, bo: string, co: string) =>
    `gemm(${m}, ${n}, ${k}, ${A.array}, ${ao}, ${A.row}, ${A.col}, ${B.array}, ${bo}, ${B.row}, ${B.col}, ${C.array}, ${co});`;
  if (batch === '1') return [call(A.offset, B.offset, C.offset)];
  const i = ctx.flatVar;
  return [
    `for (let ${i} = 0; ${i} < ${batch}; ${i}++) {`,
    `  ${call(off(A.offset, timesIndex(m, k)), off(B.offset, timesIndex(k, n)), off(C.offset, timesIndex(m, n)))}`,
    '}',
  ];
}

/** out[index] = x[strided index]: transposes, materialized broadcasts and slices. */
function stridedCopy(node: ApplyNode, ctx: StatementContext, sourceStrides: readonly string[], base = '0'): string[] {
  const x = node.inputs[0]!;
  const memory = memoryOf(x, ctx);
  const out = targetOf(node, ctx);
  return loopNest(node.shape, ctx, (loop) => {
    const src = x.op === 'const' || memory === null
      ? readElement(x, loop, ctx).text
      : `${memory.array}[${indexExpr(loop.indices!, sourceStrides, plusIndex(memory.offset, base))}]`;
    return [`${at(out, elementIndex(node.shape, loop))} = ${src};`];
  });
}

export function fillZero(node: Node, ctx: StatementContext): string {
  const out = targetOf(node, ctx);
  return `${out.array}.fill(0, ${out.offset}, ${plusIndex(out.offset, sizeExpr(node.shape))});`;
}

function padStatement(node: ApplyNode, ctx: StatementContext): string[] {
  const x = node.inputs[0]!;
  const axis = node.attrs['axis'] as number;
  const out = targetOf(node, ctx);
  const outStrides = strideExprs(node.shape);
  const base = timesIndex(dimExpr(node.attrs['before'] as number), outStrides[axis]!);
  return [
    fillZero(node, ctx),
    ...loopNest(x.shape, ctx, (loop) => [`${at(out, indexExpr(loop.indices!, outStrides, base))} = ${readElement(x, loop, ctx).text};`]),
  ];
}

function concatStatement(node: ApplyNode, ctx: StatementContext): string[] {
  const axis = node.attrs['axis'] as number;
  const out = targetOf(node, ctx);
  const outStrides = strideExprs(node.shape);
  let start = 0;
  return node.inputs.flatMap((x) => {
    const base = timesIndex(String(start), outStrides[axis]!);
    start += x.shape[axis] as number;
    return loopNest(x.shape, ctx, (loop) => [`${at(out, indexExpr(loop.indices!, outStrides, base))} = ${readElement(x, loop, ctx).text};`]);
  });
}

/** `r` is a valid row of a table with `rows` rows: an integer in range. */
const validRow = (r: string, rows: string) => `${r} >= 0 && ${r} < ${rows} && ${r} === Math.floor(${r})`;

/**
 * `throw new RangeError(…)` for index `value` at flat position `position`,
 * the message built at run time exactly as indexCheck.ts's indexMessage: the
 * argument's name (user text) reaches the code only as a string literal.
 */
function indexError(node: ApplyNode, position: string, value: string): string {
  const spec = OP_TABLE[node.op].indices!;
  const bound = spec.bound(node);
  const name = indexArgumentName(node, spec);
  const range = `: ${spec.what} must be an integer in [0, `;
  const tail = typeof bound === 'number'
    ? stringLiteral(`${range}${bound})`)
    : `${stringLiteral(range)} + ${dimExpr(bound)} + ${stringLiteral(')')}`;
  return `throw new RangeError(${stringLiteral(`${name}[`)} + ${position} + ${stringLiteral('] = ')} + ${value} + ${tail});`;
}

function gatherStatement(node: ApplyNode, ctx: StatementContext): string[] {
  const [table, indices] = node.inputs as [Node, Node];
  const out = targetOf(node, ctx);
  const tab = memoryOf(table, ctx)!;
  const row = sizeExpr(table.shape.slice(1));
  const i = ctx.flatVar;
  const k = ctx.loopVars[0]!;
  const { row: r, dst, src } = ctx.rowLocals;
  return [
    `for (let ${i} = 0; ${i} < ${sizeExpr(indices.shape)}; ${i}++) {`,
    `  const ${r} = ${readElement(indices, { shape: indices.shape, indices: null, flat: i }, ctx).text};`,
    `  const ${dst} = ${plusIndex(out.offset, timesIndex(i, row))};`,
    `  if (${validRow(r, sizeExpr([table.shape[0]!]))}) {`,
    `    const ${src} = ${plusIndex(tab.offset, timesIndex(r, row))};`,
    `    for (let ${k} = 0; ${k} < ${row}; ${k}++) ${out.array}[${dst} + ${k}] = ${tab.array}[${src} + ${k}];`,
    `  } else ${indexError(node, i, r)}`,
    '}',
  ];
}

/** One element of a vector, `gather(x, i)` with a scalar index: read at the checked index into the node's scalar. */
function scalarGather(node: ApplyNode, ctx: StatementContext): string[] {
  const [table, index] = node.inputs as [Node, Node];
  const name = ctx.names.get(node)!;
  const { row: r } = ctx.rowLocals;
  const scalar = { shape: [], indices: [] };
  return [
    `let ${name}: number;`,
    '{',
    `  const ${r} = ${readElement(index, scalar, ctx).text};`,
    `  if (${validRow(r, sizeExpr([table.shape[0]!]))}) ${name} = ${readElement(table, { shape: table.shape, indices: null, flat: r }, ctx).text};`,
    `  else ${indexError(node, '0', r)}`,
    '}',
  ];
}

function scatterAddStatement(node: ApplyNode, ctx: StatementContext): string[] {
  const [indices, values] = node.inputs as [Node, Node];
  const out = targetOf(node, ctx);
  const vals = memoryOf(values, ctx);
  const row = sizeExpr(node.shape.slice(1));
  const i = ctx.flatVar;
  const k = ctx.loopVars[0]!;
  const { row: r, dst, src } = ctx.rowLocals;
  // The values are in memory, or one value (a scalar or a constant: the cotangent of `3 * gather(x, 1)`) read as such.
  const source = vals === null ? [] : [`  const ${src} = ${plusIndex(vals.offset, timesIndex(i, row))};`];
  const value = vals === null
    ? readElement(values, { shape: values.shape, indices: null, flat: plusIndex(timesIndex(i, row), k) }, ctx).text
    : `${vals.array}[${src} + ${k}]`;
  return [
    fillZero(node, ctx),
    `for (let ${i} = 0; ${i} < ${sizeExpr(indices.shape)}; ${i}++) {`,
    `  const ${r} = ${readElement(indices, { shape: indices.shape, indices: null, flat: i }, ctx).text};`,
    `  if (!(${validRow(r, sizeExpr([node.shape[0]!]))})) ${indexError(node, i, r)}`,
    `  const ${dst} = ${plusIndex(out.offset, timesIndex(r, row))};`,
    ...source,
    `  for (let ${k} = 0; ${k} < ${row}; ${k}++) ${out.array}[${dst} + ${k}] += ${value};`,
    '}',
  ];
}

function oneHotStatement(node: ApplyNode, ctx: StatementContext): string[] {
  const indices = node.inputs[0]!;
  const out = targetOf(node, ctx);
  const depth = dimExpr(node.attrs['depth'] as Dim);
  const i = ctx.flatVar;
  const c = ctx.rowLocals.column;
  return [
    fillZero(node, ctx),
    `for (let ${i} = 0; ${i} < ${sizeExpr(indices.shape)}; ${i}++) {`,
    `  const ${c} = ${readElement(indices, { shape: indices.shape, indices: null, flat: i }, ctx).text};`,
    `  if (!(${validRow(c, depth)})) ${indexError(node, i, c)}`,
    `  ${at(out, plusIndex(timesIndex(i, depth), c))} = 1;`,
    '}',
  ];
}

function reshapeCopy(node: ApplyNode, ctx: StatementContext): string[] {
  const x = node.inputs[0]!;
  const out = targetOf(node, ctx);
  const i = ctx.flatVar;
  const memory = memoryOf(x, ctx);
  const src = memory === null ? readElement(x, { shape: x.shape, indices: null, flat: i }, ctx).text : `${memory.array}[${plusIndex(memory.offset, i)}]`;
  return [`for (let ${i} = 0; ${i} < ${sizeExpr(node.shape)}; ${i}++) ${at(out, i)} = ${src};`];
}

/** The statement that computes `node` into the place the plan gave it. */
export function statementFor(node: Node, ctx: StatementContext): string[] {
  const s = ctx.storage.get(node)!;
  if (node.op === 'input') return [];
  if (node.op === 'const') {
    if (s.kind !== 'buffer') return [];
    return [`${s.array}.fill(${renderNumber(node.value, node.dtype, 'ts').text}, ${s.offset}, ${plusIndex(s.offset, sizeExpr(node.shape))});`];
  }
  const emission = OP_TABLE[node.op].emission;
  if (emission?.kind === 'loop') return scanStatement(node, ctx);
  if (s.kind === 'scalar') {
    if (!s.bound) return [];
    if (emission?.kind === 'reduce') return reduction(node, emission, ctx);
    if (emission?.kind === 'gather') return scalarGather(node, ctx);
    return [`const ${ctx.names.get(node)} = ${renderInline(node, { shape: [], indices: [] }, ctx).text};`];
  }
  if (s.kind !== 'buffer') return [];
  if (emission === undefined) return elementwise(node, ctx);
  return structuralStatement(node, emission, ctx);
}

/** The template the op table's emission entry names, writing into the node's buffer. */
function structuralStatement(node: ApplyNode, emission: LoopEmission, ctx: StatementContext): string[] {
  switch (emission.kind) {
    case 'reduce':
      return reduction(node, emission, ctx);
    case 'matmul':
      return matmul(node, ctx);
    case 'stridedCopy': {
      const x = node.inputs[0]!;
      if (emission.source === 'broadcast') return stridedCopy(node, ctx, broadcastStrideExprs(x.shape, node.shape));
      const strides = strideExprs(x.shape);
      if (emission.source === 'permute') return stridedCopy(node, ctx, (node.attrs['perm'] as number[]).map((p) => strides[p]!));
      const axis = node.attrs['axis'] as number;
      const start = node.attrs['start'] as number;
      return stridedCopy(node, ctx, strides, timesIndex(String(start), strides[axis]!));
    }
    case 'flatCopy':
      return reshapeCopy(node, ctx);
    case 'pad':
      return padStatement(node, ctx);
    case 'concat':
      return concatStatement(node, ctx);
    case 'gather':
      return gatherStatement(node, ctx);
    case 'scatterAdd':
      return scatterAddStatement(node, ctx);
    case 'oneHot':
      return oneHotStatement(node, ctx);
    case 'indexVector':
      return indexVectorStatement(node, emission.points, ctx);
    case 'matrixStructure':
      return matrixStructureStatement(node, emission.map, ctx);
    case 'triangularSolve':
      return triangularSolveStatement(node, ctx);
    case 'dimSize':
    case 'loop':
    case 'inlinedBeforeEmission':
      throw new Error(`internal: ${node.op} never has a buffer of its own to compute`);
  }
}
