// Line charts as SVG and PNG, for learning curves and convergence plots.
//
// A chart is described by data (series of points), turned into a Vega-Lite spec,
// compiled to Vega, rendered headless to SVG by `View.toSVG()`, and rasterized to
// PNG by resvg. Nothing here draws by hand: the three libraries each do one step.
// They load on the first chart, not with gradc/runtime: a training script that draws
// no curves does not pay for them.
import { createRequire } from 'node:module';
import type * as ResvgModule from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import writeFileAtomic from 'write-file-atomic';

/** One named line: its points in x order. */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** One panel: axes, lines and an optional logarithmic y axis. */
export interface LineChart {
  readonly title?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** Logarithmic y axis (points with y <= 0 are left out, since log y is undefined). */
  readonly logY?: boolean;
  /** Fix the y axis to [min, max] instead of fitting the data. */
  readonly yDomain?: readonly [number, number];
  /** Panel size in CSS pixels. Default 420 × 260. */
  readonly width?: number;
  readonly height?: number;
}

export interface ChartFiles {
  readonly svgPath: string;
  readonly pngPath: string;
}

/** Writes `basePath`.svg and `basePath`.png for one chart. */
export async function writeLineChart(chart: LineChart, basePath: string): Promise<ChartFiles> {
  return writeLineCharts([chart], basePath);
}

/**
 * Writes `basePath`.svg and `basePath`.png with the charts side by side (e.g. loss
 * and accuracy, which need different y scales), each file atomically.
 */
export async function writeLineCharts(charts: readonly LineChart[], basePath: string, title?: string): Promise<ChartFiles> {
  return writeSvgAndPng(await lineChartsSvg(charts, title), basePath);
}

/** Writes an SVG document as `basePath`.svg and its rasterization as `basePath`.png, each atomically. */
export async function writeSvgAndPng(svg: string, basePath: string): Promise<ChartFiles> {
  const svgPath = `${basePath}.svg`;
  const pngPath = `${basePath}.png`;
  await writeFileAtomic(svgPath, svg);
  await writeFileAtomic(pngPath, svgToPng(svg));
  return { svgPath, pngPath };
}

/** The charts, side by side, as an SVG document. */
export async function lineChartsSvg(charts: readonly LineChart[], title?: string): Promise<string> {
  if (charts.length === 0) throw new RangeError('lineChartsSvg needs at least one chart.');
  // One color per series name across all panels, so "validation" is the same line everywhere.
  const names = [...new Set(charts.flatMap((c) => c.series.map((s) => s.name)))];
  const panels = charts.map((c) => panelSpec(c, names));
  const spec = (
    panels.length === 1
      ? { ...panels[0], ...(title === undefined ? {} : { title }), ...TOP }
      : { hconcat: panels, ...(title === undefined ? {} : { title }), ...TOP }
  ) as TopLevelSpec;
  return vegaLiteSvg(spec);
}

/** A Vega-Lite spec rendered headless to an SVG document. */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const [{ View, Warn, parse }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none', logLevel: Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterizes an SVG at twice its size, so the PNG stays sharp on high-density screens. */
export function svgToPng(svg: string): Buffer {
  // A CommonJS package with a native addon: required on first use, synchronously.
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof ResvgModule;
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    // Vega asks for sans-serif; name a font every Linux image is likely to have,
    // and let resvg fall back to whatever the system provides.
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** What every chart's top-level spec carries: schema, background, padding, fonts. */
export const TOP = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  background: 'white',
  padding: 12,
  config: { font: 'sans-serif', legend: { orient: 'bottom' }, title: { fontSize: 14 } },
} as const;

type Row = { readonly x: number; readonly y: number; readonly series: string };

function panelSpec(chart: LineChart, names: readonly string[]): Record<string, unknown> {
  const logY = chart.logY === true;
  const rows: Row[] = [];
  for (const s of chart.series) {
    for (const [x, y] of s.points) {
      if (Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0)) rows.push({ x, y, series: s.name });
    }
  }
  const yScale: Record<string, unknown> = logY ? { type: 'log', nice: false } : { zero: false };
  if (chart.yDomain !== undefined) yScale['domain'] = [...chart.yDomain];
  return {
    ...(chart.title === undefined ? {} : { title: chart.title }),
    width: chart.width ?? 420,
    height: chart.height ?? 260,
    data: { values: rows },
    mark: { type: 'line', point: rows.length <= 60, strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: chart.xLabel, scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: chart.yLabel, scale: yScale, axis: logY ? logAxis(rows) : {} },
      // The domain keeps the legend in the order given, not alphabetical.
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: [...names] } },
    },
  };
}

/**
 * A log axis over many decades gets one labelled tick per power of ten, or per few over more than ten (Vega would
 * draw and label all of 1…9 × 10ᵏ); over a decade or two the default ticks read better.
 */
function logAxis(rows: readonly Row[]): Record<string, unknown> {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    lo = Math.min(lo, r.y);
    hi = Math.max(hi, r.y);
  }
  const from = Math.floor(Math.log10(lo));
  const to = Math.ceil(Math.log10(hi));
  if (!(to - from > 3)) return {};
  // At most about ten labels: every decade up to ten decades, every few beyond.
  const every = Math.ceil((to - from) / 10);
  const values: number[] = [];
  for (let k = from; k <= to; k += every) values.push(10 ** k);
  return { values, format: '~e' };
}
