/**
 * Loop bodies. A scan node names its body by key; the body is a graph of its
 * own, over its own input nodes: the loop-carried values, this step's slice of
 * each sequence, the closed-over values (weights) and the step index. Bodies
 * are interned by structure, so building the same body twice gives the same
 * key and the scan nodes over it hash-cons as usual.
 */
import type { InputNode, Node } from './node.ts';
import { input } from './build.ts';
import { IRError } from './build.ts';
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

const byStructure = new Map<string, ScanBody>();
const byKey = new Map<string, ScanBody>();

const ids = (nodes: readonly (Node | null)[]): string => nodes.map((n) => (n === null ? '-' : n.id)).join(',');

/** The interned body with these parts; checks that carries and their next values agree. */
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
  const structure = [parts.carries, parts.sequences, parts.closures, [parts.index], parts.next, parts.outputs, [parts.cond]]
    .map(ids)
    .join('|');
  const known = byStructure.get(structure);
  if (known !== undefined) return known;
  const body: ScanBody = Object.freeze({ ...parts, key: `body${byKey.size}` });
  byStructure.set(structure, body);
  byKey.set(body.key, body);
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
