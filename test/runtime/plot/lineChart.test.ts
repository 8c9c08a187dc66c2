// The plot module writes an SVG with the chart's text in it and a PNG that decodes to
// the SVG's size (rendered at 2×), and leaves out points a log axis cannot show.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineChartsSvg, writeLineChart, writeLineCharts } from '../../../runtime/plot/lineChart.ts';

const decay = (n: number, rate: number): [number, number][] => Array.from({ length: n }, (_, i) => [i, Math.exp(-rate * i)]);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): [number, number] {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

function svgSize(svg: string): [number, number] {
  const m = /<svg[^>]*width="([\d.]+)"[^>]*height="([\d.]+)"/.exec(svg);
  expect(m).not.toBeNull();
  return [Number(m![1]), Number(m![2])];
}

describe('writeLineChart', () => {
  it('writes an SVG with the labels and legend, and a PNG at twice its size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-plot-'));
    const files = await writeLineChart(
      { title: 'convergence', xLabel: 'iteration', yLabel: 'error', logY: true, series: [{ name: 'BFGS', points: decay(40, 0.5) }, { name: 'Adam', points: decay(40, 0.1) }] },
      join(dir, 'chart'),
    );
    expect(files).toEqual({ svgPath: join(dir, 'chart.svg'), pngPath: join(dir, 'chart.png') });
    const svg = readFileSync(files.svgPath, 'utf8');
    for (const text of ['convergence', 'iteration', 'error', 'BFGS', 'Adam']) expect(svg).toContain(`>${text}<`);
    const [w, h] = svgSize(svg);
    expect(pngSize(readFileSync(files.pngPath))).toEqual([Math.round(2 * w), Math.round(2 * h)]);
  });

  it('puts several panels side by side with one legend entry per series name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-plot-'));
    const loss = { xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'train', points: decay(5, 1) }, { name: 'validation', points: decay(5, 0.8) }] };
    const acc = { xLabel: 'epoch', yLabel: 'accuracy', series: [{ name: 'validation', points: decay(5, -0.1) }] };
    const files = await writeLineCharts([loss, acc], join(dir, 'curves'), 'learning curves');
    const svg = readFileSync(files.svgPath, 'utf8');
    expect(svg).toContain('>learning curves<');
    expect(svg.split('>validation<').length - 1).toBe(1);
    const [oneW] = svgSize(await lineChartsSvg([loss]));
    expect(svgSize(svg)[0]).toBeGreaterThan(1.5 * oneW);
  });

  it('leaves out points with y <= 0 or non-finite values on a log axis', async () => {
    const pts: [number, number][] = [[0, 1], [1, 0], [2, -1], [3, Number.NaN], [4, 0.5]];
    const svg = await lineChartsSvg([{ xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 's', points: pts }] }]);
    // One line through the two drawable points: a path with one move and one segment.
    const path = /<path[^>]*aria-roledescription="line mark"[^>]*d="([^"]+)"/.exec(svg);
    expect(path).not.toBeNull();
    expect(path![1]!.match(/[ML]/g)).toEqual(['M', 'L']);
  });
});
