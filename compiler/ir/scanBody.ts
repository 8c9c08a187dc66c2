/**
 * Loop bodies. A scan node names its body by key; the body is a graph of its
 * own, over its own input nodes: the loop-carried values, this step's slice of
 * each sequence, the closed-over values (weights) and the step index. Bodies
 * are interned by content, so building the same body twice (in any process,
 * in any order) gives the same key, and the scans over it hash-cons as usual.
 */
import { createHash } from 'node:crypto';
import { input, IRError } from './build.ts';
import type { InputNode, Node } from './node.ts';
import { topoSort } from './program.ts';
import { replaceInputs } from './replaceInputs.ts';
import type { Shape } from './shape.ts';

export interface ScanBody {
  readonly key: string;
  /** The carried values as the step sees them, before the step. */
  readonly carries: readonly InputNode[];
  /** This step's slice of each sequence (the sequence without its leading time axis). */
  readonly sequences: readonly InputNode[];
  /** Values from outside the loop, the same at every step. */
  readonly closures: readonly InputNode[];
  /** The step number (0-based, in forward time) as an f64 scalar, or null when the body does not read it. */
  readonly index: InputNode | null;
  /** The carried values after the step, one per carry, same shapes. */
  readonly next: readonly Node[];
  /** Per-step outputs, stacked along a new leading time axis by the scan. */
  readonly outputs: readonly Node[];
  /** A while loop's condition (bool scalar), checked before each step; null for a loop that runs every step. */
  readonly cond: Node | null;
  /** Readable names for the emitted code: carries, sequences, closures, outputs. */
  readonly hints: BodyHints;
}

export interface BodyHints {
  readonly carries: readonly string[];
  readonly sequences: readonly string[];
  readonly closures: readonly string[];
  readonly outputs: readonly string[];
}

export type BodyParts = Omit<ScanBody, 'key'>;

const byKey = new Map<string, ScanBody>();

type Role = readonly [string, InputNode];

/** The body's inputs with the role each plays, in order. */
function rolesOf(parts: BodyParts): Role[] {
  return [
    ...parts.carries.map((n, i): Role => [`carry${i}`, n]),
    ...parts.sequences.map((n, i): Role => [`sequence${i}`, n]),
    ...parts.closures.map((n, i): Role => [`closure${i}`, n]),
    ...(parts.index === null ? [] : [['index', parts.index] as Role]),
  ];
}

const attrsText = (attrs: Readonly<Record<string, unknown>>): string =>
  JSON.stringify(Object.keys(attrs).sort().map((k) => [k, attrs[k]]));

/**
 * A fingerprint of the body's structure in which inputs are known by their
 * role, not their name: equal bodies get equal fingerprints in any process,
 * whatever order they were built in.
 */
function fingerprint(parts: BodyParts, roots: readonly Node[]): string {
  const ids = new Map<Node, string>();
  for (const [role, n] of rolesOf(parts)) ids.set(n, `${role}[${n.shape.join(',')}]${n.dtype}`);
  const lines: string[] = [];
  for (const node of topoSort(roots)) {
    if (ids.has(node)) continue;
    if (node.op === 'input') throw new IRError(`internal: the scan body reads '${node.name}', which is none of its inputs`);
    const text = node.op === 'const'
      ? `const ${Object.is(node.value, -0) ? '-0' : String(node.value)} ${node.dtype} [${node.shape.join(',')}]`
      : `${node.op} ${attrsText(node.attrs)} (${node.inputs.map((n) => ids.get(n)!).join(' ')})`;
    ids.set(node, `n${lines.length}`);
    lines.push(text);
  }
  lines.push(`roots ${roots.map((n) => ids.get(n)!).join(' ')}`, `counts ${parts.next.length} ${parts.outputs.length} ${parts.cond === null ? 0 : 1}`);
  lines.push(`hints ${JSON.stringify(parts.hints)}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}


/**
 * The interned body with these parts. Bodies are content-addressed: the
 * inputs are renamed after the fingerprint of the body's structure, so the
 * body's key, its nodes and the scans over it are the same in every
 * compilation, which keeps emitted code byte-identical.
 */
export function internBody(parts: BodyParts): ScanBody {
  if (parts.next.length !== parts.carries.length) throw new IRError('a scan body needs one next value per carry');
  parts.next.forEach((n, k) => {
    const c = parts.carries[k]!;
    if (n.dtype !== 'f64' || n.shape.join(',') !== c.shape.join(',')) {
      throw new IRError(`carry ${parts.hints.carries[k] ?? k} has shape [${c.shape.join(', ')}] but the step makes it [${n.shape.join(', ')}]`);
    }
  });
  if (parts.cond !== null && (parts.cond.dtype !== 'bool' || parts.cond.shape.length !== 0)) {
    throw new IRError('a while condition must be a boolean scalar');
  }
  const roots = [...parts.next, ...parts.outputs, ...(parts.cond === null ? [] : [parts.cond])];
  const key = `body_${fingerprint(parts, roots)}`;
  const known = byKey.get(key);
  if (known !== undefined) return known;
  const map = new Map<Node, InputNode>();
  for (const [role, n] of rolesOf(parts)) map.set(n, input(`§${key}.${role}`, n.shape, n.dtype));
  const renamed = replaceInputs(roots, map);
  const [nc, ny] = [parts.next.length, parts.outputs.length];
  const body: ScanBody = Object.freeze({
    key,
    carries: parts.carries.map((n) => map.get(n)!),
    sequences: parts.sequences.map((n) => map.get(n)!),
    closures: parts.closures.map((n) => map.get(n)!),
    index: parts.index === null ? null : map.get(parts.index)!,
    next: renamed.slice(0, nc),
    outputs: renamed.slice(nc, nc + ny),
    cond: parts.cond === null ? null : renamed[nc + ny]!,
    hints: parts.hints,
  });
  byKey.set(key, body);
  return body;
}

/** Everything a body computes: next carries, per-step outputs, the condition. */
export const bodyRoots = (b: ScanBody): Node[] => [...b.next, ...b.outputs, ...(b.cond === null ? [] : [b.cond])];

export function bodyOf(key: string): ScanBody {
  const body = byKey.get(key);
  if (body === undefined) throw new IRError(`internal: no scan body '${key}'`);
  return body;
}

let fresh = 0;

/**
 * A body input no other body or program shares: the name is unique in the
 * process (it never reaches emitted code, which names values from the hints).
 */
export function bodyInput(role: string, shape: Shape): InputNode {
  return input(`§${role}${fresh++}`, shape);
}
