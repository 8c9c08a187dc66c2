// The bar chart writes an SVG with a bar per label, in the order given, each count
// written over its bar, and a PNG of it; mismatched labels and bars are an error.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBarChart } from '../../../runtime/plot/barChart.ts';

describe('writeBarChart', () => {
  it('writes one bar per label in the order given, with its count, as SVG and PNG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-bars-'));
    const labels = Array.from({ length: 12 }, (_, k) => String(k));
    const bars = [5, 40, 17, 3, 0, 0, 0, 0, 0, 0, 0, 1];
    const files = await writeBarChart({ title: 'staleness', xLabel: 'staleness', yLabel: 'updates', labels, bars }, join(dir, 'hist'));
    expect(files).toEqual({ svgPath: join(dir, 'hist.svg'), pngPath: join(dir, 'hist.png') });
    const svg = readFileSync(files.svgPath, 'utf8');
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(bars.length);
    // The x axis labels in the given order ("10" after "9", not after "1").
    const drawn = [...svg.matchAll(/aria-label="staleness: ([0-9]+); updates: ([0-9]+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(drawn).toEqual(labels.map((label, i) => [label, bars[i]]));
    expect(svg).toContain('for a discrete scale with 12 values: 0, 1, 2, 3, 4, ending with 11');
    for (const text of ['staleness', 'updates', '40', '17']) expect(svg).toContain(`>${text}<`);
    expect(readFileSync(files.pngPath).subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('rejects labels and bars of different lengths', async () => {
    await expect(writeBarChart({ xLabel: 'x', yLabel: 'y', labels: ['a'], bars: [1, 2] }, join(tmpdir(), 'never'))).rejects.toThrow(/1 labels for 2 bars/);
  });
});
