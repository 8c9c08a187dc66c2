/**
 * Where a node came from in the model source, so that every block of
 * generated code can name the model line it was derived from.
 *
 * Nodes are hash-consed and immutable, so the origin cannot live on the node
 * itself: it is a side table filled while nodes are built. A stage that
 * builds nodes on behalf of a source construct (the front end for a
 * statement, reverse and forward mode for the node they differentiate, the
 * rewrite driver for the node it rewrites) runs its builder inside
 * `withOrigin`. The first origin a node is seen with wins, because a shared
 * (hash-consed) node belongs to the first line that computed it.
 *
 * This is the one piece of module state the compiler keeps; it only ever
 * annotates and never changes what is computed.
 */
import type { Node } from './node.ts';

export interface SourceOrigin {
  /** Path as given to the front end (relative paths stay relative). */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** The source line's text, trimmed, for the comment. */
  readonly text: string;
}

let origins = new WeakMap<Node, SourceOrigin>();
let current: SourceOrigin | undefined;
/**
 * The model variable a node is bound to (`const hidden = relu(…)` → 'hidden'),
 * and for derivatives the name derived from it (`hiddenBar`, `hiddenDot`), so
 * kernel buffers are named after what they hold. Like origins, the first
 * name a (hash-consed) node gets wins. Names are user text: the emitter
 * passes them through the NameManager's identifier gate, never around it.
 */
let valueNames = new WeakMap<Node, string>();

/**
 * Runs one compilation (parse and emit) against an empty origin table.
 * Nodes are hash-consed across the whole process, so without this a node
 * built again by a later compile (the same file after an edit in watch mode,
 * or another file computing the same expression) would keep the line it
 * was first seen on, and the generated comments would depend on what was
 * compiled before: not byte-identical output.
 */
export function withFreshOrigins<T>(compile: () => T): T {
  const [saved, savedNames] = [origins, valueNames];
  origins = new WeakMap();
  valueNames = new WeakMap();
  try {
    return compile();
  } finally {
    origins = saved;
    valueNames = savedNames;
  }
}

/** Runs `build` with every node it creates attributed to `origin` (no-op attribution when undefined). */
export function withOrigin<T>(origin: SourceOrigin | undefined, build: () => T): T {
  if (origin === undefined) return build();
  const saved = current;
  current = origin;
  try {
    return build();
  } finally {
    current = saved;
  }
}

/** Called by the node constructors: attributes a node to the active origin, if it has none yet. */
export function noteOrigin(node: Node): void {
  if (current !== undefined && !origins.has(node)) origins.set(node, current);
}

/** Attributes `node` to `origin` unless it already has one (for nodes created outside a scope). */
export function setOriginIfAbsent(node: Node, origin: SourceOrigin): void {
  if (!origins.has(node)) origins.set(node, origin);
}

export function originOf(node: Node): SourceOrigin | undefined {
  return origins.get(node);
}

/** Records that `node` holds the model variable `name`, unless it has a name already. */
export function nameValue(node: Node, name: string): void {
  if (node.op === 'const' || node.op === 'input') return;
  if (!valueNames.has(node)) valueNames.set(node, name);
}

export function valueNameOf(node: Node): string | undefined {
  return valueNames.get(node);
}

/** Names `derived` (an adjoint, a tangent) after `of`'s name plus `suffix`, when `of` has a name. */
export function nameDerived(of: Node, derived: Node, suffix: 'Bar' | 'Dot'): void {
  const name = valueNames.get(of);
  if (name !== undefined) nameValue(derived, `${name}${suffix}`);
}

/** A node rewritten into `to` keeps its name, as it keeps its origin. */
export function carryName(from: Node, to: Node): void {
  const name = valueNames.get(from);
  if (name !== undefined && to !== from) nameValue(to, name);
}

/**
 * The current origin table, as an identity: a cache of results that build
 * nodes (masks.ts) keys on it, so each compilation builds them again and
 * they are attributed as in a fresh process.
 */
export function originScope(): object {
  return origins;
}
