/**
 * Statements of the index vectors (arange, linspace) and the structured
 * matrices (ir/ops/structuredMatrices.ts): one loop nest per batch of
 * matrices, each element read or written through the structure's index map,
 * and the triangular solve as forward or back substitution.
 */
import type { ApplyNode, Node } from '../../ir/node.ts';
import type { MatrixMap } from '../../ir/loopEmission.ts';
import type { Dim } from '../../ir/shape.ts';
import { stringLiteral } from '../safeText.ts';
import { dimExpr, plusIndex, productExpr, timesIndex } from './dims.ts';
import { SCALAR_LOOP, readElement } from './reads.ts';
import type { StatementContext } from './statements.ts';
import { at, fillZero, indent, targetOf } from './statements.ts';

/** Element `index` (a flat index expression) of a value in memory or a literal. */
const readAt = (x: Node, index: string, ctx: StatementContext): string =>
  readElement(x, { shape: x.shape, indices: null, flat: index }, ctx).text;

/** `body(b)` for each of `count` matrices, b the batch index ('0' when there is one). */
function eachMatrix(count: string, ctx: StatementContext, body: (b: string) => string[]): string[] {
  if (count === '1') return body('0');
  const b = ctx.flatVar;
  return [`for (let ${b} = 0; ${b} < ${count}; ${b}++) {`, ...indent(body(b)), '}'];
}

const loop = (v: string, bound: string, body: readonly string[], from = '0'): string[] =>
  [`for (let ${v} = ${from}; ${v} < ${bound}; ${v}++) {`, ...indent(body), '}'];

/** d − 1 and d + 1 as expressions, numbers folded. */
const offsetDim = (d: Dim, by: number): string => (typeof d === 'number' ? String(d + by) : `${dimExpr(d)} ${by < 0 ? '-' : '+'} ${Math.abs(by)}`);

/** arange: out[i] = i; linspace: a + i·(b − a)/(n − 1), exactly b at the end, n ≥ 2 checked for a named n. */
export function indexVectorStatement(node: ApplyNode, points: 'integers' | 'endpoints', ctx: StatementContext): string[] {
  const out = targetOf(node, ctx);
  const n = node.attrs['n'] as Dim;
  const i = ctx.flatVar;
  if (points === 'integers') return [`for (let ${i} = 0; ${i} < ${dimExpr(n)}; ${i}++) ${at(out, i)} = ${i};`];
  const [a, b] = node.inputs as [Node, Node];
  const [start, stop, step] = [ctx.claim('start'), ctx.claim('stop'), ctx.claim('step')];
  const last = offsetDim(n, -1);
  const check = typeof n === 'number' ? [] : [
    `if (!(${dimExpr(n)} >= 2)) throw new RangeError(${stringLiteral(`linspace: the length ${n} must be at least 2, got `)} + ${dimExpr(n)});`,
  ];
  return [
    ...check,
    `const ${start} = ${readElement(a, SCALAR_LOOP, ctx).text};`,
    `const ${stop} = ${readElement(b, SCALAR_LOOP, ctx).text};`,
    `const ${step} = (${stop} - ${start}) / ${/[+-]/.test(last) ? `(${last})` : last};`,
    `for (let ${i} = 0; ${i} < ${last}; ${i}++) ${at(out, i)} = ${start} + ${i} * ${step};`,
    `${at(out, last)} = ${stop};`,
  ];
}

/** Offsets of matrix b and of row i in it: b·d·d + i·d. */
const rowOf = (b: string, i: string, d: Dim) => plusIndex(timesIndex(b, productExpr([d, d])), timesIndex(i, dimExpr(d)));
/** Offset of entry j of packed row i of matrix b: b·m + i(i+1)/2 + j. */
const packedAt = (b: string, i: string, j: string, m: number) => plusIndex(timesIndex(b, String(m)), `${i} * (${i} + 1) / 2`, j);

/** Triangles and diagonals through their index maps; what the map leaves out is zero. */
export function matrixStructureStatement(node: ApplyNode, map: MatrixMap, ctx: StatementContext): string[] {
  const x = node.inputs[0]!;
  const out = targetOf(node, ctx);
  const [i, j] = ctx.loopVars as [string, string];
  const matrixShape = map === 'lowerToPacked' || map === 'diagonalToVector' ? x.shape : node.shape;
  const d = matrixShape[matrixShape.length - 1]!;
  const batch = productExpr(matrixShape.slice(0, -2));
  const m = typeof d === 'number' ? (d * (d + 1)) / 2 : 0;
  const diagonalOf = (b: string) => plusIndex(timesIndex(b, productExpr([d, d])), timesIndex(i, offsetDim(d, 1)));
  const vectorAt = (b: string) => plusIndex(timesIndex(b, dimExpr(d)), i);
  const overLower = (body: string[]) => loop(i, dimExpr(d), [`for (let ${j} = 0; ${j} <= ${i}; ${j}++) {`, ...indent(body), '}']);
  const body = (b: string): string[] => {
    switch (map) {
      case 'packedToLower':
        return overLower([`${at(out, plusIndex(rowOf(b, i, d), j))} = ${readAt(x, packedAt(b, i, j, m), ctx)};`]);
      case 'lowerToPacked':
        return overLower([`${at(out, packedAt(b, i, j, m))} = ${readAt(x, plusIndex(rowOf(b, i, d), j), ctx)};`]);
      case 'vectorToDiagonal':
        return loop(i, dimExpr(d), [`${at(out, diagonalOf(b))} = ${readAt(x, vectorAt(b), ctx)};`]);
      case 'diagonalToVector':
        return loop(i, dimExpr(d), [`${at(out, vectorAt(b))} = ${readAt(x, diagonalOf(b), ctx)};`]);
      case 'triangle': {
        const entry = plusIndex(rowOf(b, i, d), j);
        const copy = [`${at(out, entry)} = ${readAt(x, entry, ctx)};`];
        if (node.attrs['lower'] === true) return overLower(copy);
        return loop(i, dimExpr(d), loop(j, dimExpr(d), copy, i));
      }
    }
  };
  const writesAll = map === 'lowerToPacked' || map === 'diagonalToVector';
  return [...(writesAll ? [] : [fillZero(node, ctx)]), ...eachMatrix(batch, ctx, body)];
}

/**
 * X = A⁻¹B, column c of B at a time: forward substitution for a lower
 * triangle (rows top down), back substitution for an upper one (bottom up);
 * entries outside the triangle are never read.
 */
export function triangularSolveStatement(node: ApplyNode, ctx: StatementContext): string[] {
  const [a, rhs] = node.inputs as [Node, Node];
  const out = targetOf(node, ctx);
  const [i, j, c] = ctx.loopVars as [string, string, string];
  const r = a.shape.length;
  const n = a.shape[r - 1]!;
  const vector = rhs.shape.length === r - 1;
  const k = vector ? '1' : dimExpr(rhs.shape[rhs.shape.length - 1]!);
  const column = vector ? '0' : c;
  const isLower = node.attrs['lower'] === true;
  const acc = ctx.claim('acc');
  const body = (b: string): string[] => {
    const aRow = rowOf(b, i, n);
    const xAt = (row: string) => plusIndex(timesIndex(b, productExpr([n, ...(vector ? [] : [rhs.shape[rhs.shape.length - 1]!])])), timesIndex(row, k), column);
    const step = [
      `let ${acc} = ${readAt(rhs, xAt(i), ctx)};`,
      `for (let ${j} = ${isLower ? '0' : `${i} + 1`}; ${j} < ${isLower ? i : dimExpr(n)}; ${j}++) ${acc} -= ${readAt(a, plusIndex(aRow, j), ctx)} * ${at(out, xAt(j))};`,
      `${at(out, xAt(i))} = ${acc} / ${readAt(a, plusIndex(aRow, i), ctx)};`,
    ];
    const rows = isLower
      ? loop(i, dimExpr(n), step)
      : [`for (let ${i} = ${offsetDim(n, -1)}; ${i} >= 0; ${i}--) {`, ...indent(step), '}'];
    return vector ? rows : loop(c, k, rows);
  };
  return eachMatrix(productExpr(a.shape.slice(0, -2)), ctx, body);
}
