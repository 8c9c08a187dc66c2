// Bar charts as SVG and PNG (a histogram of integer counts, such as the staleness of
// asynchronous updates), through the same Vega-Lite → Vega → resvg path as line charts.
import type { TopLevelSpec } from 'vega-lite';
import { TOP, vegaLiteSvg, writeSvgAndPng, type ChartFiles } from './lineChart.ts';

/** One panel of bars: `bars[i]` is the bar labelled `labels[i]`, in that order. */
export interface BarChart {
  readonly title?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly labels: readonly string[];
  readonly bars: readonly number[];
  /** Panel size in CSS pixels. Default 420 × 260. */
  readonly width?: number;
  readonly height?: number;
}

/** Writes `basePath`.svg and `basePath`.png for one bar chart. */
export async function writeBarChart(chart: BarChart, basePath: string): Promise<ChartFiles> {
  if (chart.labels.length !== chart.bars.length) {
    throw new RangeError(`writeBarChart: ${chart.labels.length} labels for ${chart.bars.length} bars; give one label per bar.`);
  }
  const values = chart.bars.map((y, i) => ({ x: chart.labels[i]!, y }));
  const spec = {
    ...(chart.title === undefined ? {} : { title: chart.title }),
    width: chart.width ?? 420,
    height: chart.height ?? 260,
    data: { values },
    layer: [
      { mark: { type: 'bar' } },
      // The count over each bar: a histogram's small bars are otherwise unreadable next to its tall ones.
      { mark: { type: 'text', dy: -6 }, encoding: { text: { field: 'y', type: 'quantitative' } } },
    ],
    encoding: {
      // The labels' order as given (sort: null), not alphabetical: "10" after "9".
      x: { field: 'x', type: 'ordinal', title: chart.xLabel, sort: null, axis: { labelAngle: 0 } },
      y: { field: 'y', type: 'quantitative', title: chart.yLabel },
    },
    ...TOP,
  } as TopLevelSpec;
  return writeSvgAndPng(await vegaLiteSvg(spec), basePath);
}
