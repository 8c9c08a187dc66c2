/**
 * The `gradc` command line: `gradc diff` (a math expression) and `gradc
 * compile` (model files). Bad input exits with a located message and no
 * stack trace; only an internal error (a bug in gradc) prints one.
 */
import { Command, CommanderError, Option } from 'commander';
import type { Generate } from './build/generate.ts';
import type { CompileFlags } from './cli/compile.ts';
import type { DiffOptions } from './cli/diff.ts';
import type { Io } from './cli/io.ts';
import { SourceError, UsageError } from './errors.ts';
import { VERSION } from './version.ts';

export type { Io };

export interface CliDeps {
  /** The compile step; the real compiler unless a test passes another. */
  readonly generate?: Generate;
  /**
   * The folder paths are relative to and the config file is looked for in;
   * default the process's. The real compile step names model files relative to
   * the process's folder (in headers, and when it follows imports between model
   * files), so pass absolute inputs when this is a different folder.
   */
  readonly cwd?: string;
  /** Ends `compile --watch`; by default SIGINT or SIGTERM. */
  readonly stopWatching?: Promise<void>;
}

async function defaultGenerate(): Promise<Generate> {
  // Loaded on first use so `gradc diff` does not pay for the model-file front end.
  return (await import('./build/compileModelFileStep.ts')).compileModelFileStep;
}

function diffCommand(io: Io): Command {
  return new Command('diff')
    .description('differentiate a math expression symbolically')
    .argument('<expr>', "the expression, in mathjs syntax, e.g. 'x^2*sin(y)'")
    // Required, but checked in runDiff: commander reports a missing required option before an
    // unknown one, so `--wrtt x` would say "--wrt not specified" instead of suggesting --wrt.
    .option('--wrt <vars>', 'variables to differentiate with respect to, comma-separated (required)')
    .option('--at <point>', 'evaluate at a point, e.g. x=1.5,y=0.3')
    .option('--hessian', 'also compute the Hessian')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'ts']).default('text'))
    .option('--explain', 'list the numerical stability rewrites applied')
    .option('--no-stability', 'do not apply numerical stability rewrites')
    .option('--strict-signed-zeros', 'only rewrites exact to the sign of zero')
    .option('--strict-wrt', 'a --wrt variable the expression does not use is an error (default: its derivatives are 0)')
    .action(async (expr: string, opts: DiffOptions) => {
      // Each command loads its own dependencies (mathjs here), so `gradc --version` and `--help` load none.
      const { runDiff } = await import('./cli/diff.ts');
      runDiff(expr, opts, io);
    });
}

function compileCommand(io: Io, deps: CliDeps, setCode: (code: number) => void): Command {
  return new Command('compile')
    .description('compile model files (*.model.ts) into generated modules (*.grad.ts)')
    .argument('[inputs...]', 'model files or quoted globs, e.g. "src/**/*.model.ts" (default: inputs in gradc.config.ts)')
    .option('--out-dir <dir>', 'write generated modules into this folder instead of beside each model file')
    .option('--wrt <params>', 'parameters to differentiate, comma-separated, overriding the model files')
    .option('--watch', 'recompile whenever a model file changes')
    .option('--check', 'write nothing; exit 1 and name the generated files that are stale (for CI)')
    .option(
      '--emit <list>',
      'comma-separated: the language (ts: <name>.grad.ts; js: <name>.grad.js + .d.ts) and/or the functions each module carries ' +
        '(value, gradient, jvp, vjp, hvp, ggnvp, hessian, jacobian, flat; default value,gradient,jvp,hvp,ggnvp,flat)',
    )
    .option('--config <file>', 'the config file (default: gradc.config.ts in the working folder, if any)')
    .option('--check-finite', 'kernels that throw at the first NaN or ±Infinity, naming its model line (a diagnostic build, slower)')
    .option('--health [saturation]', 'value-and-gradient kernels that also measure saturated tanh/sigmoid units (derivative below saturation, default 0.01), dead ReLUs and loops\' ‖∂L/∂h_t‖, read with fHealth()')
    .action(async (inputs: string[], flags: CompileFlags) => {
      const { runCompile } = await import('./cli/compile.ts');
      const generate = deps.generate ?? (await defaultGenerate());
      const cwd = deps.cwd ?? process.cwd();
      setCode(await runCompile(inputs, flags, io, { generate, cwd, ...(deps.stopWatching ? { stopWatching: deps.stopWatching } : {}) }));
    });
}

function program(io: Io, deps: CliDeps, setCode: (code: number) => void): Command {
  const cmd = new Command('gradc')
    .description('gradc: a symbolic differentiation compiler for TypeScript')
    .version(VERSION);
  cmd.addCommand(diffCommand(io));
  cmd.addCommand(compileCommand(io, deps, setCode));
  // addCommand does not pass settings down: every command prints through io and
  // throws instead of exiting, so main can map errors to exit codes, and suggests
  // the closest command or option for a misspelt one (commander's default, kept on).
  for (const c of [cmd, ...cmd.commands]) {
    c.exitOverride().showSuggestionAfterError(true).configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  }
  return cmd;
}

/** Runs the CLI on `argv` (without node and script), resolving to the exit code. */
export async function main(argv: readonly string[], io: Io, deps: CliDeps = {}): Promise<number> {
  let code = 0;
  try {
    await program(io, deps, (c) => (code = c)).parseAsync([...argv], { from: 'user' });
    return code;
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
  process.exitCode = await main(process.argv.slice(2), {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  });
}
