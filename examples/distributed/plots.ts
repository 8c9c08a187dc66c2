/**
 * The example's plots: the validation loss of each mode's run against updates and
 * against wall time (one line per run, two panels), and the staleness histogram of
 * an asynchronous run.
 */
import { join } from 'node:path';
import { writeBarChart, writeLineCharts, type ChartFiles, type StalenessRecord } from '../../runtime/index.ts';
import type { DigitsRun } from './digits.ts';

/** A run's line in the legend, e.g. "sync, N = 2, b = 1, threads". */
export interface LabelledRun {
  readonly label: string;
  readonly run: DigitsRun;
}

export async function writeCurves(runs: readonly LabelledRun[], outDir: string, title: string): Promise<ChartFiles> {
  const series = (x: (p: DigitsRun['curve'][number]) => number) =>
    runs.map(({ label, run }) => ({ name: label, points: run.curve.map((p) => [x(p), p.loss] as const) }));
  return writeLineCharts(
    [
      { xLabel: 'updates applied', yLabel: 'validation loss', logY: true, series: series((p) => p.update) },
      { xLabel: 'wall time (s)', yLabel: 'validation loss', logY: true, series: series((p) => p.seconds) },
    ],
    join(outDir, 'validation-loss'),
    title,
  );
}

export async function writeStaleness(staleness: StalenessRecord, outDir: string, title: string): Promise<ChartFiles> {
  return writeBarChart(
    {
      title,
      xLabel: 'staleness (updates applied between the read and the apply)',
      yLabel: 'updates',
      labels: staleness.histogram.map((_, k) => String(k)),
      bars: staleness.histogram,
    },
    join(outDir, 'staleness'),
  );
}
