/**
 * The verifier: arity, element types, shapes and binding. Tests run it after
 * every pass; its errors show the program with the offending node marked.
 */
import type { Node } from './node.ts';
import { OP_TABLE } from './opTable.ts';
import { printProgram } from './print.ts';
import type { Program } from './program.ts';
import { schedule } from './program.ts';
import { shapeToString, shapesEqual } from './shape.ts';

export class VerifyError extends Error {
  override readonly name = 'VerifyError';
}

function problemWith(node: Node, prog: Program): string | null {
  if (node.op === 'input') {
    return prog.inputs.includes(node) ? null : `input '${node.name}' is not a declared program input`;
  }
  if (node.op === 'const') return null;
  const def = OP_TABLE[node.op];
  if (def.arity !== 'variadic' && node.inputs.length !== def.arity) {
    return `${node.op} has ${node.inputs.length} operands, expected ${def.arity}`;
  }
  const badType = node.inputs.findIndex((n, i) => n.dtype !== def.inputTypes(i));
  if (badType >= 0) return `${node.op} operand ${badType + 1} has type ${node.inputs[badType]!.dtype}`;
  if (node.dtype !== def.output) return `${node.op} has type ${node.dtype}, expected ${def.output}`;
  const shape = def.shape(node.op, node.inputs.map((n) => n.shape), node.attrs);
  if (!shapesEqual(shape, node.shape)) {
    return `${node.op} has shape ${shapeToString(node.shape)}, its operands give ${shapeToString(shape)}`;
  }
  return null;
}

export function verify(prog: Program): void {
  const names = new Set<string>();
  for (const input of prog.inputs) {
    if (names.has(input.name)) throw new VerifyError(`duplicate input '${input.name}'`);
    names.add(input.name);
  }
  const outNames = new Set<string>();
  for (const out of prog.outputs) {
    if (outNames.has(out.name)) throw new VerifyError(`duplicate output '${out.name}'`);
    outNames.add(out.name);
  }
  for (const node of schedule(prog)) {
    const problem = problemWith(node, prog);
    if (problem !== null) {
      throw new VerifyError(`${problem}\n${printProgram(prog, node)}`);
    }
  }
}
