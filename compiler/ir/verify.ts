/**
 * The verifier: arity, element types, shapes and binding. Tests run it after
 * every pass; its errors show the program with the offending node marked.
 */
import type { Node } from './node.ts';
import { OP_TABLE } from './opTable.ts';
import { printProgram } from './print.ts';
import type { Program } from './program.ts';
import { schedule } from './program.ts';
import { ShapeError, shapeToString, shapesEqual } from './shape.ts';
import type { Shape } from './shape.ts';

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
  let shape: Shape;
  try {
    shape = def.shape(node.op, node.inputs.map((n) => n.shape), node.attrs);
  } catch (e) {
    if (e instanceof ShapeError) return e.message;
    throw e;
  }
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

/**
 * A pass must compute the same function: the same inputs, and outputs of the
 * same names, element types and shapes. Each node checking against its own
 * operands cannot see an output replaced by a well-formed node of another
 * shape (x in the place of x * ones[3]), so the pipeline checks this too.
 */
export function verifyPass(before: Program, after: Program, pass: string): void {
  verify(after);
  const changed = (what: string) => new VerifyError(`${pass} changed ${what}\n${printProgram(after)}`);
  if (after.inputs.length !== before.inputs.length || after.inputs.some((x, i) => x !== before.inputs[i])) {
    throw changed('the program inputs');
  }
  if (after.outputs.length !== before.outputs.length) throw changed('the number of outputs');
  before.outputs.forEach((was, i) => {
    const now = after.outputs[i]!;
    if (now.name !== was.name) throw changed(`output '${was.name}' into '${now.name}'`);
    if (now.node.dtype !== was.node.dtype || !shapesEqual(now.node.shape, was.node.shape)) {
      const type = (n: Node) => `${n.dtype}${shapeToString(n.shape)}`;
      throw changed(`output '${was.name}' from ${type(was.node)} to ${type(now.node)}`);
    }
  });
}
