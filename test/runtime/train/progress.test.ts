// Progress output: without a terminal, whole lines only (CI logs read line by line);
// on a terminal, a live bar redrawn in place; metrics as JSON lines.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SGD, formatDuration, train, type ProgressStream } from '../../../runtime/index.ts';
import { makeRegression, mseLoss, mseMetrics } from './problems.ts';

const data = makeRegression(64, 3, 0.1, 2);

function capture(isTTY: boolean): ProgressStream & { text: () => string; columns: number } {
  const chunks: string[] = [];
  return { isTTY, columns: 120, write: (s: string) => chunks.push(s), text: () => chunks.join('') };
}

async function run(stream: ProgressStream, metricsPath?: string): Promise<void> {
  await train({
    params: new Float64Array(4),
    examples: data.count,
    loss: mseLoss(data),
    validate: mseMetrics(data),
    optimizer: new SGD({ lr: 0.1 }),
    epochs: 3,
    batchSize: 4,
    progress: stream,
    ...(metricsPath === undefined ? {} : { metricsPath }),
  });
}

describe('progress output', () => {
  it('prints whole, self-describing lines when not on a terminal', async () => {
    const out = capture(false);
    await run(out);
    const text = out.text();
    expect(text).not.toMatch(/[\r\x1b]/);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    const progress = lines.filter((l) => l.includes(' batch '));
    const summaries = lines.filter((l) => l.includes('train loss'));
    expect(progress.length).toBe(3 * 3); // 16 batches per epoch, 4 lines per epoch minus the last (the summary)
    for (const l of progress) expect(l).toMatch(/^epoch [123]\/3 {2}batch \d+\/16 {2}loss \d+\.\d{4} {2}lr 1\.00e-1 {2}ETA \d+:\d\d$/);
    expect(summaries).toHaveLength(3);
    for (const l of summaries) expect(l).toMatch(/^epoch [123]\/3 {2}train loss \d+\.\d{4} {2}val loss \d+\.\d{4} {2}lr 1\.00e-1$/);
  });

  it('draws a bar with loss, lr and ETA on a terminal', async () => {
    const out = capture(true);
    await run(out);
    const text = out.text();
    expect(text).toMatch(/epoch 3\/3 [█░]{24} 16\/16 \| loss \d+\.\d{4} \| lr 1\.00e-1 \| ETA \d+:\d\d/);
    // Redrawn in place with cursor controls, not printed line after line.
    expect(text).toContain('\x1b[');
    expect(text.split('\n').filter((l) => l.includes('| loss')).length).toBeLessThan(4);
  });

  it('appends one JSON line per epoch to the metrics file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gradc-metrics-')), 'metrics.jsonl');
    await run(capture(false), path);
    const records = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { epoch: number; step: number; validation: { loss: number } });
    expect(records.map((r) => [r.epoch, r.step])).toEqual([[1, 16], [2, 32], [3, 48]]);
    expect(records.every((r) => Number.isFinite(r.validation.loss))).toBe(true);
  });

  it('formats durations as m:ss and h:mm:ss', () => {
    expect([5, 65, 3725, NaN].map(formatDuration)).toEqual(['0:05', '1:05', '1:02:05', '--:--']);
  });
});
