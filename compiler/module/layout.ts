/**
 * The flat parameter vector of a model function: a layout naming every
 * differentiated parameter with its shape, offset and size; `packF` (named
 * values → flat vector) and `unpackF` (flat vector → named views,
 * `subarray`s that share its memory); and the per-array cache of those views
 * the flat variants use so that an evaluation allocates nothing.
 *
 * With literal sizes the layout is a constant (`fLayout.size`). When a
 * parameter has named sizes (`Param<Tensor<['n']>>`) it is a function of
 * them, `fLayout(n)`, and so is everything that reads the flat vector:
 * `unpackF(x, n)`, the view cache (keyed by the sizes too); `packF` reads
 * them off the named values.
 */
import type { FunctionIR } from '../ir/function.ts';
import type { FunctionContext, SizeName } from './context.ts';
import { blockOffset, elementCount, flatLength, isScalar, jsDoc, localNames, layoutRef, symbolicLayout } from './context.ts';
import { identifier } from '../emit/safeText.ts';
import { plusIndex } from '../emit/loops/dims.ts';
import { planSizes, q, shapeLiteral, shapeText, sizeStatements } from './sizes.ts';

/** A literal size, for the constant layout (no named size to read). */
const literal: SizeName = (dim) => {
  throw new Error(`internal: named size '${dim}' in a constant layout`);
};

/** How messages name the layout's length: `fLayout.size`, or `fLayout(n).size`. */
export const layoutSizeName = (ctx: FunctionContext): string =>
  symbolicLayout(ctx) ? `${ctx.names.layout}(${ctx.layoutDims.join(', ')}).size` : `${ctx.names.layout}.size`;

/** A shape as the generated code builds it at run time: literal sizes, named ones read through `size`. */
const shapeValue = (shape: readonly (number | string)[], size: SizeName): string =>
  `[${shape.map((d) => (typeof d === 'number' ? String(d) : size(d))).join(', ')}]`;

function layoutConstant(ctx: FunctionContext): string {
  const { names, layout, d } = ctx;
  const doc = jsDoc([
    `The flat parameter vector of \`${d.fn.name}\` (${ctx.where}): every differentiated parameter with its shape, ` +
      `offset and size, in order. Gradients, tangents and Hessian-vector products of \`${d.fn.name}\` use this layout.`,
  ]);
  if (!symbolicLayout(ctx)) {
    const entries = layout.map(
      (e) => `    { name: ${q(e.name)}, shape: ${shapeLiteral(e.shape)}, offset: ${blockOffset(e, literal)}, size: ${elementCount(e.shape, literal)} },`,
    );
    return [doc, `export const ${names.layout} = {`, `  size: ${flatLength(ctx, literal)},`, '  params: [', ...entries, '  ],', '} as const;'].join('\n');
  }
  const local = localNames(ctx);
  const dims = new Map(ctx.layoutDims.map((dim) => [dim, local.claim(dim)]));
  const size = (dim: string) => dims.get(dim)!;
  const expectSize = ctx.use('expectSize');
  const entries = layout.map(
    (e) => `      { name: ${q(e.name)}, shape: ${shapeValue(e.shape, size)}, offset: ${blockOffset(e, size)}, size: ${elementCount(e.shape, size)} },`,
  );
  return [
    jsDoc([
      `The flat parameter vector of \`${d.fn.name}\` (${ctx.where}) at the sizes ${ctx.layoutDims.join(', ')}: every differentiated parameter ` +
        `with its shape, offset and size, in order. Gradients, tangents and Hessian-vector products of \`${d.fn.name}\` use this layout.`,
    ]),
    `export function ${names.layout}(${[...dims.values()].map((n) => `${n}: number`).join(', ')}): ${ctx.use('FlatLayout')} {`,
    ...ctx.layoutDims.map((dim) => `  ${expectSize}(${q(names.layout)}, ${q(dim)}, ${size(dim)});`),
    '  return {',
    `    size: ${flatLength(ctx, size)},`,
    '    params: [',
    ...entries,
    '    ],',
    '  };',
    '}',
  ].join('\n');
}

function paramsInterface(ctx: FunctionContext): string {
  const { names, layout, d } = ctx;
  const named: SizeName = (dim) => dim;
  return [
    jsDoc([
      `The differentiated parameters of \`${d.fn.name}\` by name, as \`${names.unpack}\` returns them: views onto the flat vector ` +
        '(a scalar is a one-element view), so writing into one writes into the vector.',
    ]),
    `export interface ${names.params} {`,
    ...layout.map((e) => `${jsDoc([`${e.shape.length === 0 ? 'A scalar' : shapeText(e.shape)} at offset ${blockOffset(e, named)}.`], '  ')}\n  readonly ${identifier(e.name)}: Float64Array;`),
    '}',
  ].join('\n');
}

function pack(ctx: FunctionContext): string {
  const { names, layout, d } = ctx;
  const local = localNames(ctx);
  const params = local.claim('params');
  const out = local.claim('out');
  const expect = ctx.use('expectLength');
  const where = q(names.pack);
  const fields: string[] = [];
  const symbolic = symbolicLayout(ctx);
  // Named sizes are read off the named values (as the named API reads them off its arguments); a size no value gives alone is an argument.
  const plan = planSizes(d.fn.wrt, [...ctx.layoutDims]);
  const dims = new Map([...plan.inferred.map((s) => s.dim), ...plan.explicit].map((dim) => [dim, local.claim(dim)]));
  const size = (dim: string) => dims.get(dim)!;
  const target = symbolic ? local.claim('target') : out;
  const length = flatLength(ctx, symbolic ? size : literal);
  const body: string[] = [];
  if (symbolic) {
    const tensors = d.fn.wrt.filter((p) => !isScalar(p));
    const lines = sizeStatements(plan, tensors, names.pack, { arg: (p) => `${params}.${identifier(p.name)}`, size });
    if (lines.some((l) => l.startsWith('expectWhole('))) ctx.use('expectWhole');
    body.push(
      ...plan.explicit.map((dim) => `${ctx.use('expectSize')}(${where}, ${q(dim)}, ${size(dim)});`),
      ...lines,
      `const ${target} = ${out} ?? new Float64Array(${length});`,
    );
  }
  body.push(`${expect}(${where}, 'out', ${target}, ${length}, ${q(layoutSizeName(ctx))});`);
  for (const e of layout) {
    const field = identifier(e.name);
    const value = `${params}.${field}`;
    const offset = blockOffset(e, symbolic ? size : literal);
    if (isScalar(d.fn.wrt.find((p) => p.name === e.name)!)) {
      fields.push(`readonly ${field}: number | ArrayLike<number>`);
      const v = local.claim(e.name);
      body.push(
        `const ${v} = ${value};`,
        `if (typeof ${v} !== 'number') ${expect}(${where}, ${q(e.name)}, ${v}, 1, '[]');`,
        `${target}[${offset}] = typeof ${v} === 'number' ? ${v} : ${v}[0];`,
      );
    } else {
      fields.push(`readonly ${field}: ArrayLike<number>`);
      if (!symbolic) body.push(`${expect}(${where}, ${q(e.name)}, ${value}, ${elementCount(e.shape, literal)}, ${q(shapeText(e.shape))});`);
      body.push(`${target}.set(${value}, ${offset});`);
    }
  }
  const outParam = symbolic ? `${out}?: Float64Array` : `${out}: Float64Array = new Float64Array(${length})`;
  const sizeParams = plan.explicit.map((dim) => `${size(dim)}: number`);
  return [
    jsDoc([
      `Copies named parameter values of \`${d.fn.name}\` into one flat vector laid out as \`${layoutRef(ctx)}\` ` +
        `(\`${out}\`, allocated when omitted), and returns it. Tensors are row-major.` +
        (symbolic ? ` The sizes ${ctx.layoutDims.join(', ')} are read off the values${plan.explicit.length > 0 ? ` (${plan.explicit.join(', ')} given as arguments)` : ''}.` : ''),
    ]),
    `export function ${names.pack}(${[`${params}: { ${fields.join('; ')} }`, ...sizeParams, outParam].join(', ')}): Float64Array {`,
    ...body.map((l) => `  ${l}`),
    `  return ${target};`,
    '}',
  ].join('\n');
}

/** The arguments `packF` takes after the named values: the layout's sizes no value gives alone. */
export const packSizeArguments = (fn: FunctionIR, layoutDims: readonly string[]): readonly string[] => planSizes(fn.wrt, [...layoutDims]).explicit;

function unpack(ctx: FunctionContext): string {
  const { names, layout, d } = ctx;
  const local = localNames(ctx);
  const x = local.claim('x');
  const dims = new Map(ctx.layoutDims.map((dim) => [dim, local.claim(dim)]));
  const size = symbolicLayout(ctx) ? (dim: string) => dims.get(dim)! : literal;
  return [
    jsDoc([
      `The parameters of \`${d.fn.name}\` as named views onto the flat vector \`${x}\` (\`subarray\`s, not copies): ` +
        'optimizers update the flat vector and the named tensors follow.' +
        (symbolicLayout(ctx) ? ` The vector is laid out as \`${names.layout}(${ctx.layoutDims.join(', ')})\`.` : ''),
    ]),
    `export function ${names.unpack}(${[`${x}: Float64Array`, ...[...dims.values()].map((n) => `${n}: number`)].join(', ')}): ${names.params} {`,
    ...ctx.layoutDims.map((dim) => `  ${ctx.use('expectSize')}(${q(names.unpack)}, ${q(dim)}, ${size(dim)});`),
    `  ${ctx.use('expectLength')}(${q(names.unpack)}, 'x', ${x}, ${flatLength(ctx, size)}, ${q(layoutSizeName(ctx))});`,
    '  return {',
    ...layout.map((e) => {
      const offset = blockOffset(e, size);
      return `    ${identifier(e.name)}: ${x}.subarray(${offset}, ${plusIndex(offset, elementCount(e.shape, size))}),`;
    }),
    '  };',
    '}',
  ].join('\n');
}

/** Whether calls need views: some differentiated parameter is a tensor (scalars are read as `x[offset]`). */
export const needsViewsFor = (fn: FunctionIR): boolean => fn.wrt.some((p) => !isScalar(p));
export const needsViews = (ctx: FunctionContext): boolean => needsViewsFor(ctx.d.fn);

function viewCache(ctx: FunctionContext): string {
  const { names } = ctx;
  if (!symbolicLayout(ctx)) {
    return [
      `// ${names.unpack}(x) made once per flat array, so an evaluation allocates nothing.`,
      `const ${names.viewCache} = new WeakMap<Float64Array, ${names.params}>();`,
      `function ${names.views}(x: Float64Array): ${names.params} {`,
      `  let views = ${names.viewCache}.get(x);`,
      '  if (views === undefined) {',
      `    views = ${names.unpack}(x);`,
      `    ${names.viewCache}.set(x, views);`,
      '  }',
      '  return views;',
      '}',
    ].join('\n');
  }
  // The sizes are part of the key: the same array read at other sizes needs other views.
  const local = localNames(ctx);
  for (const n of ['x', 'cached', 'views', 'sizes']) local.claim(n);
  const dims = ctx.layoutDims.map((dim) => local.claim(dim));
  const stale = dims.map((n, i) => `cached.sizes[${i}] !== ${n}`).join(' || ');
  return [
    `// ${names.unpack}(x, ${dims.join(', ')}) made once per flat array and sizes, so an evaluation allocates nothing.`,
    `const ${names.viewCache} = new WeakMap<Float64Array, { readonly sizes: readonly number[]; readonly views: ${names.params} }>();`,
    `function ${names.views}(${['x: Float64Array', ...dims.map((n) => `${n}: number`)].join(', ')}): ${names.params} {`,
    `  let cached = ${names.viewCache}.get(x);`,
    `  if (cached === undefined || ${stale}) {`,
    `    cached = { sizes: [${dims.join(', ')}], views: ${names.unpack}(${['x', ...dims].join(', ')}) };`,
    `    ${names.viewCache}.set(x, cached);`,
    '  }',
    '  return cached.views;',
    '}',
  ].join('\n');
}

/** The public layout section (constant or function, interface, pack, unpack). */
export function layoutSection(ctx: FunctionContext): string[] {
  if (ctx.layout.length === 0) return [];
  return [layoutConstant(ctx), paramsInterface(ctx), pack(ctx), unpack(ctx)];
}

/** The internal view cache, when calls need it. */
export function viewSection(ctx: FunctionContext): string[] {
  // Read by the flat variants and by whatever takes a flat tangent; a module of values and gradients has none.
  const readsViews = ctx.flat || ctx.hessianFromHvp || (['jvp', 'hvp', 'ggnvp'] as const).some((k) => ctx.kernels.has(k));
  return ctx.layout.length > 0 && needsViews(ctx) && readsViews ? [viewCache(ctx)] : [];
}
