/**
 * Loop directives: the doc comment written directly before a `for` loop
 * (`/** @checkpoint sqrt *\/`, `/** @truncate 10 *\/`) chooses how the loop
 * node keeps its tape and where truncated backpropagation cuts it. They
 * change memory use and (for truncation) the gradient, never the value, so
 * the eager run may ignore them as comments. Read here into the IR's loop
 * options; what is malformed becomes a located problem for the fence.
 */
import type { Checkpoint } from '../../ir/scan.ts';
import { didYouMean } from '../../errors.ts';
import type { LoopDirective, Pos } from './ast.ts';

export interface LoopDirectiveOptions {
  readonly checkpoint?: Checkpoint;
  /** `@truncate K` cuts every carried variable; `@truncate K h c` only those named (an accumulator keeps its gradient). */
  readonly truncate?: { readonly every: number; readonly carries?: readonly string[] };
  /** Where `@truncate` is, for an error about the names it gives. */
  readonly truncateAt?: Pos;
}

export interface DirectiveProblem {
  readonly at: Pos;
  readonly message: string;
  readonly hint: string;
}

const SYNTAX = '@checkpoint sqrt | log | budget=N | K (keep every K-th state), @truncate K [carried variables] (cut gradients every K steps)';
const HINT = `Loop directives: ${SYNTAX}, in a /** … */ comment directly before the loop.`;

const positiveInteger = (text: string): number | null => (/^[1-9]\d*$/.test(text) ? Number(text) : null);

function checkpointOf(text: string): Checkpoint | null {
  if (text === 'sqrt' || text === 'log') return text;
  const budget = /^budget\s*=\s*(\S+)$/.exec(text);
  if (budget !== null) {
    const n = positiveInteger(budget[1]!);
    return n === null ? null : { budget: n };
  }
  return positiveInteger(text);
}

/** The loop options the directives ask for, and what is wrong with them. */
export function readLoopDirectives(directives: readonly LoopDirective[]): { options: LoopDirectiveOptions; problems: DirectiveProblem[] } {
  const problems: DirectiveProblem[] = [];
  let checkpoint: Checkpoint | undefined;
  let truncate: LoopDirectiveOptions['truncate'];
  let truncateAt: Pos | undefined;
  const seen = new Set<string>();
  for (const d of directives) {
    if (seen.has(d.name) && (d.name === 'checkpoint' || d.name === 'truncate')) {
      problems.push({ at: d.at, message: `@${d.name} is given twice for this loop`, hint: `Keep one @${d.name}.` });
      continue;
    }
    seen.add(d.name);
    if (d.name === 'checkpoint') {
      const c = checkpointOf(d.text);
      if (c === null) {
        problems.push({ at: d.at, message: `@checkpoint ${d.text === '' ? 'needs a scheme' : `'${d.text}' is not a checkpointing scheme`}`, hint: 'Write @checkpoint sqrt, @checkpoint log, @checkpoint budget=300 (at most 300 states kept) or @checkpoint 10 (every 10th state).' });
      } else checkpoint = c;
    } else if (d.name === 'truncate') {
      const [length = '', ...names] = d.text.split(/[\s,]+/).filter((w) => w !== '');
      const k = positiveInteger(length);
      const bad = names.find((n) => !/^[A-Za-z_$][\w$]*$/.test(n));
      if (k === null || bad !== undefined) {
        problems.push({
          at: d.at,
          message: bad !== undefined ? `@truncate: '${bad}' is not a variable name` : `@truncate ${length === '' ? 'needs a window length' : `'${length}' is not a window length`}`,
          hint: 'Write @truncate 10 (gradients flow through the carried variables within windows of 10 steps), or @truncate 10 h c to cut only h and c.',
        });
      } else {
        truncate = names.length === 0 ? { every: k } : { every: k, carries: names };
        truncateAt = d.at;
      }
    } else {
      const suggestion = didYouMean(d.name, ['checkpoint', 'truncate'], (n) => `'@${n}'`);
      problems.push({ at: d.at, message: `unknown loop directive '@${d.name}'${suggestion}`, hint: HINT });
    }
  }
  return { options: { ...(checkpoint === undefined ? {} : { checkpoint }), ...(truncate === undefined ? {} : { truncate, truncateAt }) }, problems };
}
