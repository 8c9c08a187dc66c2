/**
 * The lines `gradc compile` prints: one progress line per model file, the
 * located message for a mistake in a model file (never a stack trace), and
 * an exit code (0 ok, 1 compile error or stale output).
 */
import { SourceError } from '../errors.ts';
import type { InputReport, OutputReport } from './compileModelFiles.ts';

export interface ReportLine {
  readonly stream: 'out' | 'err';
  readonly text: string;
}

function size(bytes: number): string {
  return bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} kB`;
}

/** Exported functions of the generated module, counted in its TypeScript text (the .ts or the .d.ts). */
function functionCount(outputs: readonly OutputReport[]): number {
  const typed = outputs.find((o) => o.path.endsWith('.ts')) ?? outputs[0];
  return typed === undefined ? 0 : (typed.content.match(/^export (declare )?function /gm) ?? []).length;
}

function summary(outputs: readonly OutputReport[]): string {
  const bytes = outputs.reduce((total, o) => total + o.bytes, 0);
  const count = functionCount(outputs);
  return `(${count} function${count === 1 ? '' : 's'}, ${size(bytes)})`;
}

export function errorLines(report: InputReport): ReportLine[] {
  const { error } = report;
  if (error instanceof SourceError) return [{ stream: 'err', text: error.format() }];
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return [{ stream: 'err', text: `gradc: internal error while compiling ${report.input} (please report): ${detail}` }];
}

function outputLines(report: InputReport, check: boolean): ReportLine[] {
  const paths = report.outputs.map((o) => o.path).join(', ');
  const stale = report.outputs.filter((o) => o.status === 'stale');
  if (check && stale.length > 0) {
    return stale.map((o) => ({ stream: 'err', text: `stale: ${o.path} is out of date with ${report.input} (run gradc compile ${report.input})` }));
  }
  if (check) return [{ stream: 'out', text: `up to date ${paths}` }];
  const verb = report.outputs.some((o) => o.status === 'written') ? 'compiled' : 'unchanged';
  return [{ stream: 'out', text: `${verb} ${report.input} → ${paths} ${summary(report.outputs)}` }];
}

export function reportLines(report: InputReport, check: boolean): ReportLine[] {
  return report.error !== undefined ? errorLines(report) : outputLines(report, check);
}

/** 1 when any model file failed to compile or (checking) any output is stale, else 0. */
export function exitCode(reports: readonly InputReport[]): 0 | 1 {
  const failed = reports.some((r) => r.error !== undefined || r.outputs.some((o) => o.status === 'stale'));
  return failed ? 1 : 0;
}
