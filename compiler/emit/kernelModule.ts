/**
 * Which kernels a compiled scalar function exports, and their signatures:
 * the bridge from derivatives (IR) to the emitter's module spec.
 */
import type { Derivatives } from '../autodiff/derive.ts';
import type { ModuleSpec } from './emitModule.ts';
import { comment, identifier } from './safeText.ts';
import { VERSION } from '../version.ts';

export function kernelModuleSpec(d: Derivatives, source: string, formula: string): ModuleSpec {
  const names = d.wrt.map((x) => x.name);
  const shapes = d.wrt.map((x) => (x.shape.length === 0 ? '' : `[${x.shape.join(', ')}]`));
  const point = `(${d.inputs.map((x) => x.name).join(', ')})`;
  const kernels: ModuleSpec['kernels'][number][] = [
    { name: identifier('value'), doc: comment(`f${point} = ${formula}`), params: d.inputs, returns: d.value },
    {
      name: identifier('valueAndGradient'),
      doc: comment(`f and its gradient by reverse mode; the gradient (${names.map((n, i) => `∂f/∂${n}${shapes[i] === '' ? '' : ` ${shapes[i]}`}`).join(', ')}) is written into gradOut.`),
      params: d.inputs,
      returns: d.value,
      writes: { param: identifier('gradOut'), nodes: d.gradient, labels: names.map((n) => comment(`∂f/∂${n}`)) },
    },
    {
      name: identifier('jvp'),
      doc: comment(`Forward mode: the directional derivative of f at ${point} along (${d.tangents.map((t) => t.name).join(', ')}).`),
      params: [...d.inputs, ...d.tangents],
      returns: d.jvp,
    },
    {
      name: identifier('hvp'),
      doc: comment(`Hessian-vector product H·(${d.tangents.map((t) => t.name).join(', ')}) by forward over reverse mode, written into out.`),
      params: [...d.inputs, ...d.tangents],
      writes: { param: identifier('out'), nodes: d.hvp, labels: names.map((n) => comment(`(H·v) along ${n}`)) },
    },
  ];
  if (d.hessian !== null) {
    kernels.push({
      name: identifier('hessian'),
      doc: comment(`The dense Hessian of f, row-major ${names.length}×${names.length}, written into out.`),
      params: d.inputs,
      writes: {
        param: identifier('out'),
        nodes: d.hessian.flat(),
        labels: names.flatMap((a) => names.map((b) => comment(a === b ? `∂²f/∂${a}²` : `∂²f/∂${a}∂${b}`))),
      },
    });
  }
  return {
    version: VERSION,
    source: comment(source),
    constants: [
      { name: identifier('inputs'), doc: comment('Kernel parameters, in order.'), values: d.inputs.map((x) => x.name) },
      { name: identifier('wrt'), doc: comment('Differentiated inputs, in the order of gradients and Hessians.'), values: names },
    ],
    kernels,
  };
}
