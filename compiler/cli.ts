/**
 * The `gradc` command line. Bad input exits with code 2 and a located
 * message; only an internal error (a bug in gradc) prints a stack trace.
 */
import { Command, CommanderError, Option } from 'commander';
import { compileExpression } from './compileExpression.ts';
import type { CompiledExpression, Point } from './compileExpression.ts';
import { mathListing } from './emit/mathListing.ts';
import { SourceError, UsageError } from './errors.ts';
import { parseExpression } from './frontend/mathjs.ts';
import { VERSION } from './version.ts';

interface DiffOptions {
  wrt: string;
  at?: string;
  hessian?: boolean;
  format: 'text' | 'json' | 'ts';
  explain?: boolean;
  stability: boolean;
  strictSignedZeros?: boolean;
}

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

function parseList(text: string): string[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
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

function runDiff(expression: string, opts: DiffOptions, io: Io): void {
  const wrt = parseList(opts.wrt);
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
  });
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

function program(io: Io): Command {
  const cmd = new Command('gradc')
    .description('gradc: a symbolic differentiation compiler for TypeScript')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  cmd
    .command('diff')
    .description('differentiate a math expression symbolically')
    .argument('<expr>', "the expression, in mathjs syntax, e.g. 'x^2*sin(y)'")
    .requiredOption('--wrt <vars>', 'variables to differentiate with respect to, comma-separated')
    .option('--at <point>', 'evaluate at a point, e.g. x=1.5,y=0.3')
    .option('--hessian', 'also compute the Hessian')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'ts']).default('text'))
    .option('--explain', 'list the numerical stability rewrites applied')
    .option('--no-stability', 'do not apply numerical stability rewrites')
    .option('--strict-signed-zeros', 'only rewrites exact to the sign of zero')
    .exitOverride()
    .action((expr: string, opts: DiffOptions) => runDiff(expr, opts, io));
  return cmd;
}

/** Runs the CLI on `argv` (without node and script), returning the exit code. */
export function main(argv: readonly string[], io: Io): number {
  try {
    program(io).parse([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit with 0; a bad option or argument is a usage error.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof SourceError) {
      io.err(e.format());
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`gradc: error: ${e.message}`);
      return 2;
    }
    io.err(`gradc: internal error (please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntryPoint) {
  process.exitCode = main(process.argv.slice(2), {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  });
}
