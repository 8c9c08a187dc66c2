/**
 * The named API of a model function `f`: the same arguments as the model
 * function (tensors as flat row-major Float64Arrays), sizes read off the data,
 * every length checked. Anything in parameter space (gradient, tangent,
 * Hessian-vector product) is one flat vector in `fLayout` order, and every
 * output can be written into a caller-provided buffer.
 */
import type { FunctionContext, SizeName } from './context.ts';
import { asFactor, flatLength, jsDoc, layoutRef, symbolicLayout } from './context.ts';
import { expectFlat, flatOutput, fromFlat, kernelCall, prologue, signature, viewsOf } from './calls.ts';
import { identifier } from '../emit/safeText.ts';
import type { Signature } from './calls.ts';
import type { InputNode } from '../ir/node.ts';
import { q, sizeOf, shapeText } from './sizes.ts';
import { packSizeArguments } from './layout.ts';

/** What the arguments are, for the docs. */
export function argumentsDoc(ctx: FunctionContext, plan = ctx.sizes): string {
  const { fn } = ctx.d;
  const tensors = fn.params.filter((p) => p.shape.length > 0);
  const parts: string[] = [`Compiled from ${ctx.where}.`];
  if (tensors.length > 0) {
    parts.push(`Tensors are row-major Float64Arrays: ${tensors.map((p) => `${p.name} ${shapeText(p.shape)}`).join(', ')}.`);
  }
  for (const s of plan.inferred) parts.push(`\`${s.dim}\` is read from ${s.param.name}.length.`);
  if (plan.explicit.length > 0) parts.push(`Sizes passed as arguments: ${plan.explicit.join(', ')}.`);
  if (fn.wrt.length > 0) parts.push(`Differentiated: ${fn.wrt.map((p) => p.name).join(', ')} (laid out as \`${layoutRef(ctx)}\`).`);
  return parts.join(' ');
}

interface WrapperParts {
  readonly doc: readonly string[];
  /** Parameters after the model's arguments. */
  readonly params: readonly string[];
  readonly body: readonly string[];
  readonly returnType: string;
}

interface Wrapper {
  readonly name: string;
  /** Given the wrapper's names (its own locals are claimed from `sig.names`). */
  readonly build: (sig: Signature) => WrapperParts;
}

function wrapper(ctx: FunctionContext, w: Wrapper): string {
  const args = ctx.d.fn.params;
  const sig = signature(ctx, args);
  const head = prologue(ctx, sig, args, w.name);
  const { doc, params, body, returnType } = w.build(sig);
  return [
    jsDoc([...doc, argumentsDoc(ctx)]),
    `export function ${w.name}(${[...sig.params, ...params].join(', ')}): ${returnType} {`,
    ...[...head, ...body].map((l) => `  ${l}`),
    '}',
  ].join('\n');
}

const summary = (ctx: FunctionContext): string => ctx.d.fn.doc ?? `The model function \`${ctx.d.fn.name}\`.`;

/** A tensor output written into `out`, allocated when omitted. */
function outputBuffer(ctx: FunctionContext, sig: Signature, where: string): { out: string; params: string[]; lines: string[]; target: string } {
  const out = sig.names.claim('out');
  const target = sig.names.claim('target');
  const n = sizeOf(ctx.d.fn.output.shape, sig.locals);
  return {
    out,
    params: [`${out}?: Float64Array`],
    target,
    lines: [
      `const ${target} = ${out} ?? new Float64Array(${n});`,
      `${ctx.use('expectLength')}(${q(where)}, ${q(out)}, ${target}, ${n}, ${q(`the output ${shapeText(ctx.d.fn.output.shape)}`)});`,
    ],
  };
}

function valueFunction(ctx: FunctionContext): string {
  const { names, d } = ctx;
  const scalarOut = d.fn.output.shape.length === 0;
  return wrapper(ctx, {
    name: names.value,
    build: (sig) => {
      const binding = { param: sig.locals.arg, size: sig.locals.size };
      if (scalarOut) return { doc: [summary(ctx)], params: [], body: [`return ${kernelCall(ctx, 'value', binding)};`], returnType: 'number' };
      const out = outputBuffer(ctx, sig, names.value);
      return {
        doc: [summary(ctx), `Writes the ${shapeText(d.fn.output.shape)} output into \`${out.out}\` (allocated when omitted) and returns it.`],
        params: out.params,
        body: [...out.lines, `return ${kernelCall(ctx, 'value', { ...binding, out: out.target })};`],
        returnType: 'Float64Array',
      };
    },
  });
}

function gradientFunctions(ctx: FunctionContext): string[] {
  const { names, d } = ctx;
  const inLayout = (g: string) => `in \`${layoutRef(ctx)}\` order (\`${names.unpack}(${g})\` names the pieces)`;
  const valueAndGradient = wrapper(ctx, {
    name: names.valueAndGradient,
    build: (sig) => {
      const gradOut = sig.names.claim('gradOut');
      const call = kernelCall(ctx, 'valueAndGradient', { param: sig.locals.arg, size: sig.locals.size, out: gradOut });
      return {
        doc: [`\`${d.fn.name}\` and its gradient by reverse mode: returns the value and writes the gradient into \`${gradOut}\` ${inLayout(gradOut)}.`],
        params: [`${gradOut}: Float64Array`],
        body: [expectFlat(ctx, names.valueAndGradient, gradOut, sig.locals.size), `return ${call};`],
        returnType: 'number',
      };
    },
  });
  const gradient = wrapper(ctx, {
    name: names.gradient,
    build: (sig) => {
      const gradOut = sig.names.claim('gradOut');
      const buffer = flatOutput(ctx, sig, gradOut, names.gradient);
      const call = kernelCall(ctx, 'valueAndGradient', { param: sig.locals.arg, size: sig.locals.size, out: buffer.target });
      return {
        doc: [`The gradient of \`${d.fn.name}\` by reverse mode, written into \`${gradOut}\` (allocated when omitted) ${inLayout(gradOut)} and returned.`],
        params: [buffer.param],
        body: [...buffer.lines, `${call};`, `return ${buffer.target};`],
        returnType: 'Float64Array',
      };
    },
  });
  return [valueAndGradient, gradient];
}

function jvpFunction(ctx: FunctionContext): string {
  const { names, d } = ctx;
  const scalarOut = d.fn.output.shape.length === 0;
  return wrapper(ctx, {
    name: names.jvp,
    build: (sig) => {
      const v = sig.names.claim('v');
      const t = sig.names.claim('t');
      const tangentDoc = `\`${v}\` is a flat tangent in \`${layoutRef(ctx)}\` order (\`${names.pack}\` builds one from named tensors).`;
      const head = [expectFlat(ctx, names.jvp, v, sig.locals.size), ...viewsOf(ctx, t, v, sig.locals.size)];
      const binding = { param: sig.locals.arg, size: sig.locals.size, tangent: (i: number) => fromFlat(ctx, v, t, sig.locals.size)(d.fn.wrt[i]!) };
      if (scalarOut) {
        return {
          doc: [`The directional derivative of \`${d.fn.name}\` along \`${v}\` by forward mode: ∇${d.fn.name}·${v}.`, tangentDoc],
          params: [`${v}: Float64Array`],
          body: [...head, `return ${kernelCall(ctx, 'jvp', binding)};`],
          returnType: 'number',
        };
      }
      const out = outputBuffer(ctx, sig, names.jvp);
      return {
        doc: [
          `The Jacobian-vector product of \`${d.fn.name}\` along \`${v}\` by forward mode, written into \`${out.out}\` (allocated when omitted) and returned.`,
          tangentDoc,
        ],
        params: [`${v}: Float64Array`, ...out.params],
        body: [...head, ...out.lines, `return ${kernelCall(ctx, 'jvp', { ...binding, out: out.target })};`],
        returnType: 'Float64Array',
      };
    },
  });
}

/** What a curvature product computes, for its docs. */
function productDoc(ctx: FunctionContext, kind: 'hvp' | 'ggnvp', v: string, out: string): string {
  const { fn } = ctx.d;
  if (kind === 'hvp') return `The Hessian-vector product ∇²${fn.name}·${v} by forward over reverse mode, written into \`${out}\` (allocated when omitted) and returned.`;
  const gn = fn.gaussNewton!;
  const regularized = gn.rest !== undefined;
  const fisher = gn.op === 'softmaxCrossEntropy' || gn.op === 'sigmoidBinaryCrossEntropy';
  return (
    `The generalized Gauss-Newton product G·${v} = Jᵀ H_L J ${v}${regularized ? ` + ∇²r ${v}` : ''} of \`${fn.name}\` = ${gn.op}(z, …)${regularized ? ' + r(θ)' : ''}, with J = ∂z/∂θ and H_L the loss's Hessian in z` +
    `${regularized ? ', and the exact Hessian of the other terms r (a regularizer, as in Hessian-free optimization)' : ''}, ` +
    `written into \`${out}\` (allocated when omitted) and returned. G is positive semi-definite` +
    (regularized ? ' when r is convex (a weight decay is).' : fisher ? `; for ${gn.op === 'softmaxCrossEntropy' ? 'softmax' : 'sigmoid'} cross-entropy it is the Fisher information matrix, so this is the natural gradient\'s Fisher-vector product.` : '.')
  );
}

/** `fHvp` or `fGgnvp`: a product with a flat direction, written into a flat buffer. */
function productFunction(ctx: FunctionContext, kind: 'hvp' | 'ggnvp'): string {
  const { names, d } = ctx;
  return wrapper(ctx, {
    name: names[kind],
    build: (sig) => {
      const v = sig.names.claim('v');
      const out = sig.names.claim('out');
      const t = sig.names.claim('t');
      const buffer = flatOutput(ctx, sig, out, names[kind]);
      const binding = { param: sig.locals.arg, size: sig.locals.size, tangent: (i: number) => fromFlat(ctx, v, t, sig.locals.size)(d.fn.wrt[i]!), out: buffer.target };
      return {
        doc: [productDoc(ctx, kind, v, out), `\`${v}\` and \`${out}\` are flat, in \`${layoutRef(ctx)}\` order.`],
        params: [`${v}: Float64Array`, buffer.param],
        body: [expectFlat(ctx, names[kind], v, sig.locals.size), ...buffer.lines, ...viewsOf(ctx, t, v, sig.locals.size), `return ${kernelCall(ctx, kind, binding)};`],
        returnType: 'Float64Array',
      };
    },
  });
}

/** `fVjp`: the cotangent u of a tensor output pulled back to the parameters, uᵀ·J, flat in the layout. */
function vjpFunction(ctx: FunctionContext): string {
  const { names, d } = ctx;
  return wrapper(ctx, {
    name: names.vjp,
    build: (sig) => {
      const u = sig.names.claim('u');
      const out = sig.names.claim('out');
      const n = sizeOf(d.fn.output.shape, sig.locals);
      const buffer = flatOutput(ctx, sig, out, names.vjp);
      const call = kernelCall(ctx, 'vjp', { param: sig.locals.arg, size: sig.locals.size, cotangent: u, out: buffer.target });
      return {
        doc: [
          `The vector-Jacobian product uᵀ·J of \`${d.fn.name}\` by reverse mode, for a cotangent \`${u}\` of its ${shapeText(d.fn.output.shape)} output ` +
            `(row-major): written into \`${out}\` (allocated when omitted), flat in \`${layoutRef(ctx)}\` order, and returned.`,
        ],
        params: [`${u}: Float64Array`, buffer.param],
        body: [
          `${ctx.use('expectLength')}(${q(names.vjp)}, ${q(u)}, ${u}, ${n}, ${q(`the output ${shapeText(d.fn.output.shape)}`)});`,
          ...buffer.lines,
          `return ${call};`,
        ],
        returnType: 'Float64Array',
      };
    },
  });
}

/** `fHessian`: the dense Hessian, from its symbolic kernel (scalar parameters) or from n Hessian-vector products. */
function hessianFunction(ctx: FunctionContext): string {
  const { names, d } = ctx;
  return wrapper(ctx, {
    name: names.hessian,
    build: (sig) => {
      const out = sig.names.claim('out');
      const n = flatLength(ctx, sig.locals.size);
      const symbolicSizes = symbolicLayout(ctx);
      const elements = symbolicSizes ? `${asFactor(n)} * ${asFactor(n)}` : String(Number(n) * Number(n));
      const target = symbolicSizes ? sig.names.claim('target') : out;
      const allocate = symbolicSizes ? [`const ${target} = ${out} ?? new Float64Array(${elements});`] : [];
      const check = `${ctx.use('expectLength')}(${q(names.hessian)}, ${q(out)}, ${target}, ${elements}, 'the dense Hessian');`;
      const symbolic = ctx.kernels.has('hessian');
      let body: string[];
      if (symbolic) {
        body = [...allocate, check, `return ${kernelCall(ctx, 'hessian', { param: sig.locals.arg, size: sig.locals.size, out: target })};`];
      } else {
        // Column j is H·eⱼ, by the HVP kernel; hessianFromHvp symmetrizes.
        const x = sig.names.claim('x');
        const v = sig.names.claim('v');
        const col = sig.names.claim('column');
        const t = sig.names.claim('t');
        const p = sig.names.claim('p');
        const size = sig.locals.size;
        const param = (q2: Parameters<typeof sig.locals.arg>[0]) => (d.fn.wrt.includes(q2) ? fromFlat(ctx, x, p, size)(q2) : sig.locals.arg(q2));
        const hvp = `(${x}: Float64Array, ${v}: Float64Array, ${col}: Float64Array): void => {\n    ${[
          ...viewsOf(ctx, p, x, size),
          ...viewsOf(ctx, t, v, size),
          `${kernelCall(ctx, 'hvp', { param, size, tangent: (i: number) => fromFlat(ctx, v, t, size)(d.fn.wrt[i]!), out: col })};`,
        ].join('\n    ')}\n  }`;
        const packSizes = packSizeArguments(d.fn, ctx.layoutDims).map(size);
        const packed = `${names.pack}(${[`{ ${d.fn.wrt.map((w) => `${identifier(w.name)}: ${sig.locals.arg(w)}`).join(', ')} }`, ...packSizes].join(', ')})`;
        body = [...allocate, check, `${ctx.use('hessianFromHvp')}(${q(names.hessian)}, ${n}, ${hvp})(${packed}, ${target});`, `return ${target};`];
      }
      return {
        doc: [
          `The dense Hessian of \`${d.fn.name}\` with respect to ${d.fn.wrt.map((w) => w.name).join(', ')}, ${n}×${n} row-major in \`${layoutRef(ctx)}\` order, ` +
            `written into \`${out}\` (allocated when omitted) and returned` +
            (symbolic ? ' (symbolic: one kernel).' : ` (from ${n} Hessian-vector products, symmetrized).`),
        ],
        params: [symbolicSizes ? `${out}?: Float64Array` : `${out}: Float64Array = new Float64Array(${elements})`],
        body,
        returnType: 'Float64Array',
      };
    },
  });
}

/** The two product closures `denseJacobian` takes, reading the parameters through `param`. */
export function jacobianProducts(ctx: FunctionContext, sig: Signature, param: (p: InputNode) => string, size: SizeName, indent: string): { jvp: string; vjp: string } {
  const { d } = ctx;
  const v = sig.names.claim('v');
  const column = sig.names.claim('column');
  const u = sig.names.claim('u');
  const row = sig.names.claim('row');
  const t = sig.names.claim('t');
  const tangent = (i: number) => fromFlat(ctx, v, t, size)(d.fn.wrt[i]!);
  const body = (lines: string[]) => `{\n${lines.map((l) => `${indent}  ${l}`).join('\n')}\n${indent}}`;
  return {
    jvp: `(${v}: Float64Array, ${column}: Float64Array): void => ${body([...viewsOf(ctx, t, v, size), `${kernelCall(ctx, 'jvp', { param, size, tangent, out: column })};`])}`,
    vjp: `(${u}: Float64Array, ${row}: Float64Array): void => ${body([`${kernelCall(ctx, 'vjp', { param, size, cotangent: u, out: row })};`])}`,
  };
}

/** `fJacobian`: the dense Jacobian of a tensor output, m×n row-major, from JVPs or VJPs. */
function jacobianFunction(ctx: FunctionContext): string {
  const { names, d } = ctx;
  return wrapper(ctx, {
    name: names.jacobian,
    build: (sig) => {
      const out = sig.names.claim('out');
      const target = sig.names.claim('target');
      const m = sizeOf(d.fn.output.shape, sig.locals);
      const products = jacobianProducts(ctx, sig, sig.locals.arg, sig.locals.size, '  ');
      const n = flatLength(ctx, sig.locals.size);
      return {
        doc: [
          `The dense Jacobian ∂${d.fn.name}/∂θ of the ${shapeText(d.fn.output.shape)} output (row-major) with respect to the ${n} parameters in \`${layoutRef(ctx)}\` order, ` +
            `written into \`${out}\` (allocated when omitted) and returned: one JVP per column when there are fewer parameters than outputs, else one VJP per row.`,
        ],
        params: [`${out}?: Float64Array`],
        body: [
          `const ${target} = ${out} ?? new Float64Array((${m}) * ${asFactor(n)});`,
          `${ctx.use('expectLength')}(${q(names.jacobian)}, ${q(out)}, ${target}, (${m}) * ${asFactor(n)}, 'the dense Jacobian');`,
          `return ${ctx.use('denseJacobian')}(${m}, ${n}, ${products.jvp}, ${products.vjp}, ${target});`,
        ],
        returnType: 'Float64Array',
      };
    },
  });
}

export function namedApiSection(ctx: FunctionContext): string[] {
  const out = [valueFunction(ctx)];
  if (ctx.kernels.has('valueAndGradient')) out.push(...gradientFunctions(ctx));
  if (ctx.kernels.has('jvp')) out.push(jvpFunction(ctx));
  if (ctx.kernels.has('vjp')) out.push(vjpFunction(ctx));
  if (ctx.kernels.has('hvp')) out.push(productFunction(ctx, 'hvp'));
  if (ctx.kernels.has('ggnvp')) out.push(productFunction(ctx, 'ggnvp'));
  if (ctx.kernels.has('hessian') || ctx.hessianFromHvp) out.push(hessianFunction(ctx));
  if (ctx.jacobian) out.push(jacobianFunction(ctx));
  return out;
}
