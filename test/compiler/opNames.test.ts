/**
 * The names users call ops by (ir/opNames.ts) against the three places they
 * call them: the prelude (model files), mathjs expressions and `Math.*` in
 * model files. Each direction is checked: every op's name is a function that
 * applies that op, and every function is an op's name or a declared
 * composite, never both.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as prelude from 'gradc/prelude';
import { apply, input } from '../../compiler/ir/build.ts';
import type { Node } from '../../compiler/ir/node.ts';
import { opsNamedIn } from '../../compiler/ir/opNames.ts';
import { OP_TABLE } from '../../compiler/ir/opTable.ts';
import type { ApplyOp } from '../../compiler/ir/ops.ts';
import { COMPOSED_MATH_FUNCTIONS, MATH_FUNCTIONS } from '../../compiler/frontend/mathFunctions.ts';
import { PRELUDE_COMPOSED, PRELUDE_OPS } from '../../compiler/frontend/preludeOps.ts';
import type { ArgKind, ArgValue, PreludeOpName } from '../../compiler/frontend/preludeOps.ts';
import type { FunctionLowering } from '../../compiler/frontend/functionLowering.ts';
import { PRELUDE_EXPORTS } from '../../compiler/frontend/typescript/scope.ts';
import { COMPOSED_MATH_LOWERINGS, MATH_LOWERINGS } from '../../compiler/frontend/typescript/mathNames.ts';

const PRELUDE_SOURCE = fileURLToPath(new URL('../../compiler/prelude/index.ts', import.meta.url));

const sorted = (names: Iterable<string>): string[] => [...names].sort();
const overlap = (a: Iterable<string>, b: Iterable<string>): string[] => {
  const inB = new Set(b);
  return [...a].filter((n) => inB.has(n));
};

/** Sample arguments of each kind: [2, 3] tensors, a comparison for conditions, defaults for the optional. */
function sampleArgs(kinds: readonly ArgKind[]): ArgValue[] {
  return kinds.map((kind, i): ArgValue => {
    const x = (name: string): Node => input(`${name}${i}`, [2, 3]);
    if (kind === 'tensor') return x('t');
    if (kind === 'cond') return apply('lt', x('a'), x('b'));
    if (kind === 'tensors') return [x('p'), x('q')];
    return undefined;
  });
}

/** Arguments for the prelude functions that take sizes or shapes, which a sample by kind cannot make up. */
const STATIC_SAMPLES: Partial<Record<PreludeOpName, () => ArgValue[]>> = {
  reshape: () => [input('x', [2, 3]), [3, 2]],
  broadcastTo: () => [input('x', [3]), [2, 3]],
  concat: () => [[input('p', [2, 3]), input('q', [2, 3])], 0],
  slice: () => [input('x', [2, 3]), 0, 0, 1],
  pad: () => [input('x', [2, 3]), 0, 1, 1],
  gather: () => [input('table', [4, 2]), input('indices', [3])],
  oneHot: () => [input('indices', [3]), 4],
  arange: () => [5],
  linspace: () => [input('a', []), input('b', []), 5],
  lowerTriangular: () => [input('v', [2, 6]), 3],
  packLowerTriangular: () => [input('m', [3, 3])],
  diagEmbed: () => [input('v', [2, 3])],
  diagonal: () => [input('m', [2, 3, 3])],
  triangularSolve: () => [input('a', [3, 3]), input('b', [3, 2]), true],
  // Orders 0 and 1 are digamma and trigamma; from 2 on polygamma applies its own op.
  polygamma: () => [2, input('x', [2, 3])],
};

/** What a lowering builds from `count` scalar inputs. */
const lowerScalars = (f: FunctionLowering, count: number): Node =>
  f.lower(Array.from({ length: count }, (_, i) => input(`s${i}`, [])));

/** The argument count to try an op's function with: the op's own, two for variadic ops. */
const callArity = (op: ApplyOp): number => {
  const { arity } = OP_TABLE[op];
  return arity === 'variadic' ? 2 : arity;
};

/** Each exported prelude function's name and the op-table names its body runs (`unary('exp')`, `run('clamp', …)`). */
function preludeExportsRun(): { exported: string; runs: string[] }[] {
  const text = readFileSync(PRELUDE_SOURCE, 'utf8');
  const file = ts.createSourceFile(PRELUDE_SOURCE, text, ts.ScriptTarget.Latest, true);
  const exported = (n: ts.Node): boolean =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const literalsIn = (n: ts.Node): string[] => {
    const found: string[] = [];
    const visit = (c: ts.Node): void => {
      if (ts.isCallExpression(c) && ts.isIdentifier(c.expression) && c.arguments[0] !== undefined && ts.isStringLiteral(c.arguments[0])) {
        found.push(c.arguments[0].text);
      }
      ts.forEachChild(c, visit);
    };
    visit(n);
    return found;
  };
  const out: { exported: string; runs: string[] }[] = [];
  for (const statement of file.statements) {
    if (!exported(statement)) continue;
    if (ts.isFunctionDeclaration(statement) && statement.name !== undefined && statement.body !== undefined) {
      out.push({ exported: statement.name.text, runs: literalsIn(statement.body) });
    }
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer !== undefined) out.push({ exported: d.name.text, runs: literalsIn(d.initializer) });
      }
    }
  }
  return out;
}

describe('prelude names', () => {
  const named = opsNamedIn('prelude');
  const exportedFunctions = Object.entries(prelude).filter(([, v]) => typeof v === 'function').map(([k]) => k);
  /** What the prelude exports besides op functions (tensor, expr, customDerivative…). */
  const notOps = PRELUDE_EXPORTS.filter((n) => !Object.hasOwn(PRELUDE_OPS, n));

  it('gives every op named in the prelude an exported function whose lowering applies that op', () => {
    const wrong = named.flatMap(({ op, name }) => {
      if (!exportedFunctions.includes(name)) return [`${op}: gradc/prelude exports no '${name}'`];
      const entry = PRELUDE_OPS[name];
      const args = STATIC_SAMPLES[name]?.() ?? sampleArgs(entry.args);
      const built = entry.lower(args).op;
      return built === op ? [] : [`${op}: prelude '${name}' builds ${built}`];
    });
    expect(wrong).toEqual([]);
  });

  it('has no exported op function that is neither an op name nor a declared composite', () => {
    const opFunctions = exportedFunctions.filter((n) => !notOps.includes(n));
    expect(sorted(opFunctions)).toEqual(sorted([...named.map((n) => n.name), ...Object.keys(PRELUDE_COMPOSED)]));
    expect(overlap(named.map((n) => n.name), Object.keys(PRELUDE_COMPOSED))).toEqual([]);
  });

  it('runs, in each exported function, the op-table entry of its own name', () => {
    const checked = preludeExportsRun().filter(({ exported }) => Object.hasOwn(PRELUDE_OPS, exported));
    expect(checked.length).toBe(Object.keys(PRELUDE_OPS).length);
    expect(checked.filter(({ exported, runs }) => runs.length !== 1 || runs[0] !== exported)).toEqual([]);
  });
});

describe('mathjs names', () => {
  const named = opsNamedIn('mathjs');

  it('gives every op named in mathjs a function whose lowering applies that op', () => {
    const wrong = named.flatMap(({ op, name }) => {
      const f = MATH_FUNCTIONS[name];
      if (f === undefined) return [`${op}: no mathjs function '${name}'`];
      const built = lowerScalars(f, callArity(op)).op;
      return built === op ? [] : [`${op}: mathjs '${name}' builds ${built}`];
    });
    expect(wrong).toEqual([]);
  });

  it('has no function that is neither an op name nor a declared composite', () => {
    expect(sorted(Object.keys(MATH_FUNCTIONS))).toEqual(sorted([...named.map((n) => n.name), ...Object.keys(COMPOSED_MATH_FUNCTIONS)]));
    expect(overlap(named.map((n) => n.name), Object.keys(COMPOSED_MATH_FUNCTIONS))).toEqual([]);
  });
});

describe('Math.* names', () => {
  const named = opsNamedIn('math');
  const isMathFunction = (name: string): boolean => typeof (Math as unknown as Record<string, unknown>)[name] === 'function';

  it('gives every op named in Math a JavaScript Math function whose lowering applies that op', () => {
    const wrong = named.flatMap(({ op, name }) => {
      if (!isMathFunction(name)) return [`${op}: JavaScript has no Math.${name}`];
      const f = MATH_LOWERINGS[name];
      if (f === undefined) return [`${op}: no lowering of Math.${name}`];
      const built = lowerScalars(f, callArity(op)).op;
      return built === op ? [] : [`${op}: Math.${name} builds ${built}`];
    });
    expect(wrong).toEqual([]);
  });

  it('has no lowering that is neither an op name nor a declared composite, and each is a Math function', () => {
    expect(sorted(Object.keys(MATH_LOWERINGS))).toEqual(sorted([...named.map((n) => n.name), ...Object.keys(COMPOSED_MATH_LOWERINGS)]));
    expect(overlap(named.map((n) => n.name), Object.keys(COMPOSED_MATH_LOWERINGS))).toEqual([]);
    expect(Object.keys(MATH_LOWERINGS).filter((n) => !isMathFunction(n))).toEqual([]);
  });

  it('names in Math every op that is itself a JavaScript Math function', () => {
    const declared = new Set<ApplyOp>(named.map((n) => n.op));
    const forgotten = (Object.keys(OP_TABLE) as ApplyOp[]).filter((op) => isMathFunction(op) && !declared.has(op));
    expect(forgotten).toEqual([]);
  });
});
