/**
 * A deterministic text form of a program, for IR dumps, verifier messages and
 * tests. Nodes are numbered in schedule order, never by their process-wide id.
 */
import type { Node } from './node.ts';
import type { Program } from './program.ts';
import { schedule } from './program.ts';
import { shapeToString } from './shape.ts';

function formatNumber(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

function describe(node: Node, names: ReadonlyMap<Node, string>): string {
  const type = `${node.dtype}${shapeToString(node.shape)}`;
  if (node.op === 'const') {
    const value = node.dtype === 'bool' ? String(node.value !== 0) : formatNumber(node.value);
    return `const ${value} : ${type}`;
  }
  if (node.op === 'input') return `input ${node.name} : ${type}`;
  return `${node.op} ${node.inputs.map((n) => names.get(n)).join(', ')} : ${type}`;
}

/** One line per node; `mark` puts an arrow on the line of that node. */
export function printProgram(prog: Program, mark?: Node): string {
  const names = new Map<Node, string>();
  const lines: string[] = [];
  const live = schedule(prog);
  const liveSet = new Set(live);
  // Unused inputs are still part of the signature: list them first.
  const nodes = [...prog.inputs.filter((n) => !liveSet.has(n)), ...live];
  nodes.forEach((node, i) => {
    const name = `%${i}`;
    names.set(node, name);
    lines.push(`${node === mark ? '>> ' : '   '}${name} = ${describe(node, names)}`);
  });
  for (const out of prog.outputs) lines.push(`   out ${out.name} = ${names.get(out.node)}`);
  return lines.join('\n');
}
