// A loss surface as a heat map with banded (quantile) colors, which read as filled
// contours, and optimizer trajectories drawn on it; SVG and PNG like the learning
// curves. Vega-Lite lays it out, resvg rasterizes it (lineChart.ts).
import type { TopLevelSpec } from 'vega-lite';
import type { LossSurface } from '../surface/lossSurface.ts';
import { TOP, vegaLiteSvg, writeSvgAndPng, type ChartFiles } from './lineChart.ts';

export interface Trajectory {
  readonly name: string;
  /** Plane coordinates (a, b) in order, e.g. from projectOntoPlane. */
  readonly points: readonly (readonly [number, number])[];
}

export interface SurfacePlot {
  readonly surface: LossSurface;
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly trajectories?: readonly Trajectory[];
  /** Labelled points, such as the saddle or the minimum. */
  readonly marks?: readonly { readonly name: string; readonly at: readonly [number, number] }[];
  /** Color bands. Default 12. */
  readonly bands?: number;
  /** Panel size in CSS pixels. Default 420 × 420. */
  readonly width?: number;
  readonly height?: number;
}

/** Writes `basePath`.svg and `basePath`.png of the surface plot, each atomically. */
export async function writeSurfacePlot(plot: SurfacePlot, basePath: string): Promise<ChartFiles> {
  return writeSvgAndPng(await surfaceSvg(plot), basePath);
}

/** Cell edges: halfway between grid points, the outer cells as wide as their neighbours. */
function edges(v: Float64Array): Float64Array {
  const e = new Float64Array(v.length + 1);
  for (let i = 1; i < v.length; i++) e[i] = 0.5 * (v[i - 1]! + v[i]!);
  e[0] = v[0]! - (e[1]! - v[0]!);
  e[v.length] = v[v.length - 1]! + (v[v.length - 1]! - e[v.length - 1]!);
  return e;
}

export async function surfaceSvg(plot: SurfacePlot): Promise<string> {
  const { xs, ys, losses } = plot.surface;
  if (losses.length !== xs.length * ys.length) throw new RangeError(`surfaceSvg: ${losses.length} losses for a ${ys.length} × ${xs.length} grid.`);
  const ex = edges(xs);
  const ey = edges(ys);
  const cells: { x: number; x2: number; y: number; y2: number; loss: number }[] = [];
  // Each cell reaches a little into the next, so anti-aliasing leaves no hairlines between them.
  const ox = 0.25 * (ex[1]! - ex[0]!);
  const oy = 0.25 * (ey[1]! - ey[0]!);
  for (let r = 0; r < ys.length; r++) {
    for (let c = 0; c < xs.length; c++) {
      const loss = losses[r * xs.length + c]!;
      const x2 = c + 1 < xs.length ? ex[c + 1]! + ox : ex[c + 1]!;
      const y2 = r + 1 < ys.length ? ey[r + 1]! + oy : ey[r + 1]!;
      if (Number.isFinite(loss)) cells.push({ x: ex[c]!, x2, y: ey[r]!, y2, loss });
    }
  }
  const xDomain = [ex[0]!, ex[xs.length]!];
  const yDomain = [ey[0]!, ey[ys.length]!];
  const path: { a: number; b: number; step: number; name: string }[] = [];
  for (const t of plot.trajectories ?? []) {
    t.points.forEach(([a, b], step) => {
      // Points off the plotted window are clipped, not allowed to stretch the axes.
      if (Number.isFinite(a) && Number.isFinite(b)) path.push({ a, b, step, name: t.name });
    });
  }
  const marks = (plot.marks ?? []).map((m) => ({ a: m.at[0], b: m.at[1], name: m.name }));
  const x = { type: 'quantitative', title: plot.xLabel ?? 'direction 1', scale: { domain: xDomain, nice: false, zero: false } } as const;
  const y = { type: 'quantitative', title: plot.yLabel ?? 'direction 2', scale: { domain: yDomain, nice: false, zero: false } } as const;
  const layers: Record<string, unknown>[] = [
    {
      data: { values: cells },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'x', ...x },
        x2: { field: 'x2' },
        y: { field: 'y', ...y },
        y2: { field: 'y2' },
        color: { field: 'loss', type: 'quantitative', title: 'loss', scale: { type: 'quantile', scheme: { name: 'viridis', count: plot.bands ?? 12 } }, legend: { format: '.3~g' } },
      },
    },
  ];
  if (path.length > 0) {
    layers.push({
      data: { values: path },
      mark: { type: 'line', point: { filled: true, size: 16 }, strokeWidth: 1.5, clip: true },
      encoding: {
        x: { field: 'a', ...x },
        y: { field: 'b', ...y },
        order: { field: 'step', type: 'quantitative' },
        color: { field: 'name', type: 'nominal', title: null, scale: { domain: [...new Set(path.map((p) => p.name))], scheme: 'set1' }, legend: { orient: 'bottom', columns: 2 } },
      },
    });
  }
  if (marks.length > 0) {
    layers.push(
      { data: { values: marks }, mark: { type: 'point', shape: 'cross', size: 120, color: 'white', strokeWidth: 2, clip: true }, encoding: { x: { field: 'a', ...x }, y: { field: 'b', ...y } } },
      { data: { values: marks }, mark: { type: 'text', dx: 8, dy: -8, align: 'left', color: 'white', fontWeight: 'bold', clip: true }, encoding: { x: { field: 'a', ...x }, y: { field: 'b', ...y }, text: { field: 'name' } } },
    );
  }
  const spec = {
    ...TOP,
    ...(plot.title === undefined ? {} : { title: plot.title }),
    width: plot.width ?? 420,
    height: plot.height ?? 420,
    layer: layers,
    resolve: { scale: { color: 'independent' } },
    // The layers are plain records: Vega-Lite's layered-spec types are too deep to type each literal, and compile() validates the spec.
  } as unknown as TopLevelSpec;
  return vegaLiteSvg(spec);
}
