// The learning curves of a run as one picture: losses on the left (training and
// validation, log scale), every other validation metric on the right.
import { writeLineCharts, type ChartFiles, type LineChart } from '../plot/lineChart.ts';
import type { EpochRecord } from './options.ts';

export async function writeLearningCurves(history: readonly EpochRecord[], basePath: string, title?: string): Promise<ChartFiles> {
  const point = (r: EpochRecord, y: number): [number, number] => [r.epoch, y];
  const losses = [{ name: 'training loss', points: history.map((r) => point(r, r.trainLoss)) }];
  if (history.some((r) => r.validation['loss'] !== undefined)) {
    losses.push({ name: 'validation loss', points: history.map((r) => point(r, r.validation['loss'] ?? NaN)) });
  }
  const charts: LineChart[] = [{ title: 'loss', xLabel: 'epoch', yLabel: 'loss', series: losses, logY: history.every((r) => r.trainLoss > 0) }];
  const others = [...new Set(history.flatMap((r) => Object.keys(r.validation)))].filter((k) => k !== 'loss');
  if (others.length > 0) {
    const series = others.map((k) => ({ name: `validation ${k}`, points: history.map((r) => point(r, r.validation[k] ?? NaN)) }));
    charts.push({ title: others.join(', '), xLabel: 'epoch', yLabel: others.length === 1 ? others[0]! : 'value', series });
  }
  return writeLineCharts(charts, basePath, title);
}
