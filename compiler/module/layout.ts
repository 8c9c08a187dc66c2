/**
 * The flat parameter vector of a model function: a layout constant naming
 * every differentiated parameter with its shape, offset and size; `packF`
 * (named values → flat vector) and `unpackF` (flat vector → named views,
 * `subarray`s that share its memory); and the per-array cache of those views
 * the flat variants use so that an evaluation allocates nothing.
 */
import type { FunctionIR } from '../ir/function.ts';
import type { FunctionContext } from './context.ts';
import { isScalar, jsDoc, localNames } from './context.ts';
import { identifier } from '../emit/safeText.ts';
import { q, shapeLiteral, shapeText } from './sizes.ts';

function layoutConstant(ctx: FunctionContext): string {
  const { names, layout, size, d } = ctx;
  const entries = layout.map(
    (e) => `    { name: ${q(e.name)}, shape: ${shapeLiteral(e.shape)}, offset: ${e.offset}, size: ${e.size} },`,
  );
  return [
    jsDoc([
      `The flat parameter vector of \`${d.fn.name}\` (${ctx.where}): every differentiated parameter with its shape, ` +
        `offset and size, in order. Gradients, tangents and Hessian-vector products of \`${d.fn.name}\` use this layout.`,
    ]),
    `export const ${names.layout} = {`,
    `  size: ${size},`,
    '  params: [',
    ...entries,
    '  ],',
    '} as const;',
  ].join('\n');
}

function paramsInterface(ctx: FunctionContext): string {
  const { names, layout, d } = ctx;
  return [
    jsDoc([
      `The differentiated parameters of \`${d.fn.name}\` by name, as \`${names.unpack}\` returns them: views onto the flat vector ` +
        '(a scalar is a one-element view), so writing into one writes into the vector.',
    ]),
    `export interface ${names.params} {`,
    ...layout.map((e) => `${jsDoc([`${e.shape.length === 0 ? 'A scalar' : shapeText(e.shape)} at offset ${e.offset}.`], '  ')}\n  readonly ${identifier(e.name)}: Float64Array;`),
    '}',
  ].join('\n');
}

function pack(ctx: FunctionContext): string {
  const { names, layout, size, d } = ctx;
  const local = localNames(ctx);
  const params = local.claim('params');
  const out = local.claim('out');
  const expect = ctx.use('expectLength');
  const where = q(names.pack);
  const body = [`${expect}(${where}, 'out', ${out}, ${size}, ${q(`${names.layout}.size`)});`];
  const fields: string[] = [];
  for (const e of layout) {
    const field = identifier(e.name);
    const value = `${params}.${field}`;
    if (isScalar(d.fn.wrt.find((p) => p.name === e.name)!)) {
      fields.push(`readonly ${field}: number | ArrayLike<number>`);
      const v = local.claim(e.name);
      body.push(
        `const ${v} = ${value};`,
        `if (typeof ${v} !== 'number') ${expect}(${where}, ${q(e.name)}, ${v}, 1, '[]');`,
        `${out}[${e.offset}] = typeof ${v} === 'number' ? ${v} : ${v}[0];`,
      );
    } else {
      fields.push(`readonly ${field}: ArrayLike<number>`);
      body.push(`${expect}(${where}, ${q(e.name)}, ${value}, ${e.size}, ${q(shapeText(e.shape))});`, `${out}.set(${value}, ${e.offset});`);
    }
  }
  return [
    jsDoc([
      `Copies named parameter values of \`${d.fn.name}\` into one flat vector laid out as \`${names.layout}\` ` +
        `(\`${out}\`, allocated when omitted), and returns it. Tensors are row-major.`,
    ]),
    `export function ${names.pack}(${params}: { ${fields.join('; ')} }, ${out}: Float64Array = new Float64Array(${size})): Float64Array {`,
    ...body.map((l) => `  ${l}`),
    `  return ${out};`,
    '}',
  ].join('\n');
}

function unpack(ctx: FunctionContext): string {
  const { names, layout, size, d } = ctx;
  const x = localNames(ctx).claim('x');
  return [
    jsDoc([
      `The parameters of \`${d.fn.name}\` as named views onto the flat vector \`${x}\` (\`subarray\`s, not copies): ` +
        'optimizers update the flat vector and the named tensors follow.',
    ]),
    `export function ${names.unpack}(${x}: Float64Array): ${names.params} {`,
    `  ${ctx.use('expectLength')}(${q(names.unpack)}, 'x', ${x}, ${size}, ${q(`${names.layout}.size`)});`,
    '  return {',
    ...layout.map((e) => `    ${identifier(e.name)}: ${x}.subarray(${e.offset}, ${e.offset + e.size}),`),
    '  };',
    '}',
  ].join('\n');
}

/** Whether calls need views: some differentiated parameter is a tensor (scalars are read as `x[offset]`). */
export const needsViewsFor = (fn: FunctionIR): boolean => fn.wrt.some((p) => !isScalar(p));
export const needsViews = (ctx: FunctionContext): boolean => needsViewsFor(ctx.d.fn);

function viewCache(ctx: FunctionContext): string {
  const { names } = ctx;
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

/** The public layout section (constant, interface, pack, unpack). */
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
