/** `gradc diff`: symbolic derivatives of a math expression, as text, JSON or a module. */
import { compileExpression } from '../api/compileExpression.ts';
import type { CompiledExpression, Point } from '../api/compileExpression.ts';
import { mathListing } from '../emit/mathListing.ts';
import { didYouMean, UsageError } from '../errors.ts';
import { parseExpression } from '../frontend/mathjs.ts';
import { parseList, type Io } from './io.ts';

export interface DiffOptions {
  /** Required; commander leaves it undefined when it is not given. */
  wrt?: string;
  at?: string;
  hessian?: boolean;
  format: 'text' | 'json' | 'ts';
  explain?: boolean;
  stability: boolean;
  strictSignedZeros?: boolean;
  strictWrt?: boolean;
}

function parseWrt(text: string | undefined): string[] {
  if (text === undefined) throw new UsageError('the option --wrt <vars> is required: the variables to differentiate with respect to, e.g. --wrt x,y');
  const names = parseList(text);
  if (names.length === 0) throw new UsageError('--wrt needs at least one variable, e.g. --wrt x,y');
  return names;
}

function parsePoint(text: string): Record<string, number> {
  const point: Record<string, number> = {};
  for (const part of text.split(',')) {
    const match = /^\s*([A-Za-z_]\w*)\s*=\s*(\S+)\s*$/.exec(part);
    const value = match === null ? NaN : Number(match[2]);
    if (match === null || (Number.isNaN(value) && match[2] !== 'NaN')) {
      throw new UsageError(`--at: '${part}' is not name=number (example: --at x=1.5,y=0.3)`);
    }
    point[match[1]!] = value;
  }
  return point;
}

function explainLines(f: CompiledExpression): string[] {
  if (f.rewrites.length === 0) return ['explain: no numerical stability rewrites applied'];
  return f.rewrites.map((r) => `explain: ${r.before}  →  ${r.after}    [${r.rule}]`);
}

function numericResult(f: CompiledExpression, point: Point, hessian: boolean) {
  const { value, gradient } = f.valueAndGradient(point);
  return { value, gradient, ...(hessian ? { hessian: f.hessian(point) } : {}) };
}

export function runDiff(expression: string, opts: DiffOptions, io: Io): void {
  const wrt = parseWrt(opts.wrt);
  const point = opts.at !== undefined ? parsePoint(opts.at) : undefined;
  if (point !== undefined) {
    // Locates any variable without a value in the expression itself.
    parseExpression(expression, { variables: [...new Set([...wrt, ...Object.keys(point)])] });
  }
  const f = compileExpression(expression, {
    wrt,
    hessian: opts.hessian === true || opts.format === 'ts',
    stability: opts.stability,
    strictSignedZeros: opts.strictSignedZeros === true,
    strictWrt: opts.strictWrt === true,
  });
  // Zero derivatives are right, but a misspelt name looks the same: say so where scripts do not parse it.
  for (const name of f.unusedWrt) {
    const used = f.inputs.filter((x) => !f.unusedWrt.includes(x));
    io.err(`note: ${name} does not appear in the expression; its derivatives are 0 (--strict-wrt makes this an error)${didYouMean(name, used)}`);
  }
  const explain = opts.explain ? explainLines(f) : [];
  if (opts.format === 'ts') {
    explain.forEach((line) => io.err(line));
    io.out(f.source.trimEnd());
    return;
  }
  if (opts.format === 'json') {
    explain.forEach((line) => io.err(line));
    const result = point !== undefined
      ? numericResult(f, point, opts.hessian === true)
      : { wrt: f.wrt, listing: mathListing(f.derivatives, { hessian: opts.hessian === true }).split('\n') };
    io.out(JSON.stringify(result));
    return;
  }
  explain.forEach((line) => io.out(line));
  io.out(mathListing(f.derivatives, { hessian: opts.hessian === true }));
  if (point !== undefined) {
    const r = numericResult(f, point, opts.hessian === true);
    io.out(`at ${Object.entries(point).map(([k, v]) => `${k} = ${v}`).join(', ')}:`);
    io.out(`  f = ${r.value}`);
    io.out(`  ∇f = [${r.gradient.join(', ')}]`);
    if (r.hessian !== undefined) io.out(`  H = [${r.hessian.map((row) => `[${row.join(', ')}]`).join(', ')}]`);
  }
}
