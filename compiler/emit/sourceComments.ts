/**
 * Comments that lead a reader of generated code back to the model source:
 * `// file:line  source text` before each block of statements that came from
 * a different source line than the block before it. Derivative code carries
 * the line of the node it differentiates (reverse and forward mode attribute
 * it so), and nodes without an origin (built outside any source construct)
 * stay in the block they are emitted in.
 */
import type { Node } from '../ir/node.ts';
import { originOf } from '../ir/origin.ts';
import type { SourceOrigin } from '../ir/origin.ts';
import { lineComment } from './safeText.ts';

/** The file name and the source line are the user's text: both go through the comment gate. */
export const sourceComment = (o: SourceOrigin): string => lineComment(`${o.file}:${o.line}  ${o.text}`);

/** Tracks the line of the last block, one tracker per emitted function. */
export class SourceComments {
  private last: SourceOrigin | undefined;

  /** The comment to put before the statement computing `node`, if its line differs from the previous block's. */
  before(node: Node): string[] {
    const origin = originOf(node);
    if (origin === undefined) return [];
    if (this.last !== undefined && this.last.file === origin.file && this.last.line === origin.line) return [];
    this.last = origin;
    return [sourceComment(origin)];
  }
}
