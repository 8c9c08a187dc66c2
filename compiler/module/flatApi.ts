/**
 * The flat-vector variants of a model function: `fFlat(data…)` binds the
 * data (reading and checking named sizes once) and returns the functions
 * optimizers call on one flat parameter vector — `objective(x, gradOut)`,
 * `hvp(x, v, out)`, `jvp(x, v)`, `value(x)` and a dense `hessian(x, out)` —
 * exactly the runtime's Objective, HessianVectorProduct and DenseHessian
 * types. Parameters are read through views cached per flat array, so an
 * evaluation allocates nothing.
 */
import type { FunctionContext } from './context.ts';
import { asFactor, flatLength, isWrt, jsDoc, layoutRef, symbolicLayout } from './context.ts';
import { expectFlat, flatParam, flatTangent, kernelCall, prologue, signature, viewsOf } from './calls.ts';
import type { Signature } from './calls.ts';
import type { InputNode } from '../ir/node.ts';
import { argumentsDoc, jacobianProducts } from './namedApi.ts';
import { q, sizeOf } from './sizes.ts';

interface Closure {
  readonly params: readonly string[];
  readonly body: readonly string[];
  /** Written out where the closure is not contextually typed. */
  readonly returnType?: string;
}

/** Elements of the dense Hessian: n·n, folded when n is a literal. */
function hessianElements(ctx: FunctionContext, size: (dim: string) => string): string {
  const n = flatLength(ctx, size);
  return symbolicLayout(ctx) ? `${asFactor(n)} * ${asFactor(n)}` : String(Number(n) * Number(n));
}

function closureText(c: Closure, indent: string): string {
  const returns = c.returnType === undefined ? '' : `: ${c.returnType}`;
  return [`(${c.params.join(', ')})${returns} => {`, ...c.body.map((l) => `${indent}  ${l}`), `${indent}}`].join('\n');
}

interface FlatLocals {
  readonly x: string;
  readonly v: string;
  readonly gradOut: string;
  readonly out: string;
  readonly p: string;
  readonly t: string;
  readonly hvp: string;
  readonly u: string;
}

function claimLocals(sig: Signature): FlatLocals {
  const c = (n: string) => sig.names.claim(n);
  return { x: c('x'), v: c('v'), gradOut: c('gradOut'), out: c('out'), p: c('p'), t: c('t'), hvp: c('hvp'), u: c('u') };
}

/** Whether the flat variants of a scalar function carry the curvature members (a FlatObjective) or only value and objective (a FlatGradient). */
const hasCurvature = (ctx: FunctionContext): boolean => ctx.kernels.has('jvp') && ctx.kernels.has('hvp');

function scalarClosures(ctx: FunctionContext, sig: Signature, l: FlatLocals, flat: string): { hvp: Closure | null; entries: [string, string][] } {
  const where = (member: string) => `${flat}(…).${member}`;
  const param = flatParam(ctx, sig, l.x, l.p);
  const tangent = flatTangent(ctx, l.v, l.t, sig.locals.size);
  const size = sig.locals.size;
  const readX = (member: string) => [expectFlat(ctx, where(member), l.x, size), ...viewsOf(ctx, l.p, l.x, size)];
  const readV = (member: string) => [expectFlat(ctx, where(member), l.v, size), ...viewsOf(ctx, l.t, l.v, size)];
  const value: Closure = { params: [l.x], body: [...readX('value'), `return ${kernelCall(ctx, 'value', { param, size })};`] };
  const objective: Closure = {
    params: [l.x, l.gradOut],
    body: [...readX('objective'), expectFlat(ctx, where('objective'), l.gradOut, size), `return ${kernelCall(ctx, 'valueAndGradient', { param, size, out: l.gradOut })};`],
  };
  const jvp = (): Closure => ({ params: [l.x, l.v], body: [...readX('jvp'), ...readV('jvp'), `return ${kernelCall(ctx, 'jvp', { param, size, tangent })};`] });
  const hvp = (): Closure => ({
    params: [`${l.x}: Float64Array`, `${l.v}: Float64Array`, `${l.out}: Float64Array`],
    returnType: 'void',
    body: [...readX('hvp'), ...readV('hvp'), expectFlat(ctx, where('hvp'), l.out, size), `${kernelCall(ctx, 'hvp', { param, size, tangent, out: l.out })};`],
  });
  const ggnvp: Closure | null = ctx.kernels.has('ggnvp')
    ? {
      params: [l.x, l.v, l.out],
      body: [...readX('ggnvp'), ...readV('ggnvp'), expectFlat(ctx, where('ggnvp'), l.out, size), `${kernelCall(ctx, 'ggnvp', { param, size, tangent, out: l.out })};`],
    }
    : null;
  // The symbolic dense Hessian, when it was asked for and the parameters are scalars.
  const hessian = (): Closure => ({
    params: [l.x, l.out],
    body: [
      ...readX('hessian'),
      `${ctx.use('expectLength')}(${q(where('hessian'))}, ${q(l.out)}, ${l.out}, ${hessianElements(ctx, size)}, 'the dense Hessian');`,
      `${kernelCall(ctx, 'hessian', { param, size, out: l.out })};`,
    ],
  });
  const first: [string, string][] = [
    ['value', closureText(value, '    ')],
    ['objective', closureText(objective, '    ')],
  ];
  if (!hasCurvature(ctx)) return { hvp: null, entries: first };
  return {
    hvp: hvp(),
    entries: [
      ...first,
      ['jvp', closureText(jvp(), '    ')],
      ['hvp', l.hvp],
      ['hessian', ctx.kernels.has('hessian') ? closureText(hessian(), '    ') : `${ctx.use('hessianFromHvp')}(${q(where('hessian'))}, ${flatLength(ctx, size)}, ${l.hvp})`],
      ...(ggnvp === null ? [] : [['ggnvp', closureText(ggnvp, '    ')] as [string, string]]),
    ],
  };
}

function tensorClosures(ctx: FunctionContext, sig: Signature, l: FlatLocals, flat: string, outputSize: string): [string, string][] {
  const where = (member: string) => `${flat}(…).${member}`;
  const param = flatParam(ctx, sig, l.x, l.p);
  const tangent = flatTangent(ctx, l.v, l.t, sig.locals.size);
  const size = sig.locals.size;
  const readX = (member: string) => [expectFlat(ctx, where(member), l.x, size), ...viewsOf(ctx, l.p, l.x, size)];
  const checkOut = (member: string) =>
    `${ctx.use('expectLength')}(${q(where(member))}, ${q(l.out)}, ${l.out}, ${outputSize}, 'the output');`;
  const out = `${l.out} = new Float64Array(${outputSize})`;
  const value: Closure = { params: [l.x, out], body: [...readX('value'), checkOut('value'), `return ${kernelCall(ctx, 'value', { param, size, out: l.out })};`] };
  const jvp: Closure = {
    params: [l.x, l.v, out],
    body: [
      ...readX('jvp'),
      expectFlat(ctx, where('jvp'), l.v, size),
      ...viewsOf(ctx, l.t, l.v, size),
      checkOut('jvp'),
      `return ${kernelCall(ctx, 'jvp', { param, size, tangent, out: l.out })};`,
    ],
  };
  const vjp = (): Closure => ({
    params: [l.x, l.u, `${l.gradOut} = new Float64Array(${flatLength(ctx, size)})`],
    body: [
      ...readX('vjp'),
      `${ctx.use('expectLength')}(${q(where('vjp'))}, ${q(l.u)}, ${l.u}, ${outputSize}, 'the output');`,
      expectFlat(ctx, where('vjp'), l.gradOut, size),
      `return ${kernelCall(ctx, 'vjp', { param, size, cotangent: l.u, out: l.gradOut })};`,
    ],
  });
  const jacobian = (): Closure => {
    const products = jacobianProducts(ctx, sig, param, size, '      ');
    return {
      params: [l.x, `${l.out} = new Float64Array((${outputSize}) * ${asFactor(flatLength(ctx, size))})`],
      body: [
        ...readX('jacobian'),
        `${ctx.use('expectLength')}(${q(where('jacobian'))}, ${q(l.out)}, ${l.out}, (${outputSize}) * ${asFactor(flatLength(ctx, size))}, 'the dense Jacobian');`,
        `return ${ctx.use('denseJacobian')}(${outputSize}, ${flatLength(ctx, size)}, ${products.jvp}, ${products.vjp}, ${l.out});`,
      ],
    };
  };
  return [
    ['value', closureText(value, '    ')],
    ['jvp', closureText(jvp, '    ')],
    ...(ctx.kernels.has('vjp') ? [['vjp', closureText(vjp(), '    ')] as [string, string]] : []),
    ...(ctx.jacobian ? [['jacobian', closureText(jacobian(), '    ')] as [string, string]] : []),
  ];
}

/**
 * The bound data: one object `bound` holding each data argument and named size,
 * and `setData(data…)` that checks new data and rebinds it in place, so a
 * trainer switching mini-batches allocates nothing (the closures read `bound`).
 */
function boundData(ctx: FunctionContext, sig: Signature, data: readonly InputNode[], flat: string): { lines: string[]; sig: Signature; setData: string } {
  const bound = sig.names.claim('bound');
  const setData = sig.names.claim('setData');
  const args = data.map((p) => sig.locals.arg(p));
  const plan = ctx.flatSizes;
  const dims = [...plan.inferred.map((x) => x.dim), ...plan.explicit];
  const sizes = dims.map((dim) => sig.locals.size(dim));
  // A size the layout depends on is fixed for the flat vector's life: new data must agree with it.
  const rebindWhere = `${flat}(…).${setData}`;
  const keep = dims
    .filter((dim) => ctx.layoutDims.includes(dim))
    .map((dim) => `${ctx.use('expectSameSize')}(${q(rebindWhere)}, ${q(dim)}, ${sig.locals.size(dim)}, ${bound}.${sig.locals.size(dim)});`);
  const assign = [...args, ...dims.filter((dim) => !ctx.layoutDims.includes(dim)).map((dim) => sig.locals.size(dim))].map((n) => `${bound}.${n} = ${n};`);
  const boundLocals = { arg: (p: InputNode) => `${bound}.${sig.locals.arg(p)}`, size: (dim: string) => `${bound}.${sig.locals.size(dim)}` };
  // The same checks twice, so that a message names the call that was given the data.
  const lines = [
    ...prologue(ctx, sig, data, flat, plan),
    `const ${bound} = { ${[...args, ...sizes].join(', ')} };`,
    `const ${setData} = (${sig.params.join(', ')}): void => {`,
    ...[...prologue(ctx, sig, data, rebindWhere, plan), ...keep, ...assign].map((line) => `  ${line}`),
    '};',
  ];
  return { lines, sig: { ...sig, locals: boundLocals }, setData };
}

export function flatSection(ctx: FunctionContext): string[] {
  if (!ctx.flat) return [];
  const { names, d } = ctx;
  const data = d.fn.params.filter((p) => !isWrt(ctx, p));
  const outer = signature(ctx, data, ctx.flatSizes);
  const l = claimLocals(outer);
  const scalarOut = d.fn.output.shape.length === 0;
  const hasData = outer.params.length > 0;
  const rebind = hasData ? boundData(ctx, outer, data, names.flat) : null;
  const sig = rebind?.sig ?? outer;
  const lines = rebind?.lines ?? [];
  const entries: string[] = [`size: ${flatLength(ctx, sig.locals.size)}`, rebind === null ? 'setData: () => {}' : rebind.setData];
  const dataType = `[${outer.params.join(', ')}]`;
  let type: string;
  if (scalarOut) {
    const closures = scalarClosures(ctx, sig, l, names.flat);
    if (closures.hvp !== null) lines.push(`const ${l.hvp} = ${closureText(closures.hvp, '  ')};`);
    entries.push(...closures.entries.map(([k, v]) => (k === v ? k : `${k}: ${v}`)));
    type = ctx.use(!hasCurvature(ctx) ? 'FlatGradient' : ctx.kernels.has('ggnvp') ? 'FlatLoss' : 'FlatObjective');
  } else {
    const outputSize = sizeOf(d.fn.output.shape, sig.locals);
    entries.push(`get outputSize(): number {\n      return ${outputSize};\n    }`);
    entries.push(...tensorClosures(ctx, sig, l, names.flat, outputSize).map(([k, v]) => `${k}: ${v}`));
    type = ctx.use(ctx.jacobian ? 'FlatTensorJacobian' : ctx.kernels.has('vjp') ? 'FlatTensorFunctionVjp' : 'FlatTensorFunction');
  }
  const dataNames = data.map((p) => p.name);
  return [
    [
      jsDoc([
        `The flat-vector variants of \`${d.fn.name}\`${dataNames.length > 0 ? ` with the data (${dataNames.join(', ')}) bound` : ''}: ` +
          `functions of one Float64Array laid out as \`${layoutRef(ctx)}\`, ` +
          (scalarOut ? 'ready for the runtime\'s minimizers and optimizers (`minimizeLBFGS(f.objective, x0)`, `minimizeNewtonCG(f.objective, f.hvp, x0)`).' : 'for predictions with trained flat parameters.'),
        hasData
          ? 'Sizes are read and checked here and by `setData(…)`, which rebinds new data (the next mini-batch) in place; an evaluation or a rebinding allocates nothing.'
          : 'An evaluation allocates nothing.',
        argumentsDoc(ctx, ctx.flatSizes),
      ]),
      `export function ${names.flat}(${outer.params.join(', ')}): ${type}<${dataType}> {`,
      ...lines.map((line) => `  ${line}`),
      '  return {',
      ...entries.map((e) => `    ${e},`),
      '  };',
      '}',
    ].join('\n'),
  ];
}
