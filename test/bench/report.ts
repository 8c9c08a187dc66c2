// Printing for the benchmark: the header and one aligned table of results.

import os from 'node:os';

export interface TimedRow {
  readonly config: string;
  readonly peer: string;
  readonly dtype: string;
  readonly meanMs: number;
  readonly medianMs: number;
  readonly rmePercent: number;
  readonly samples: number;
  readonly gflops: number;
  /** peer mean / baseline mean for the same config; lower is faster. */
  readonly ratio: number;
}

export interface NoteRow {
  readonly config: string;
  readonly peer: string;
  readonly note: string;
}

export type Row = TimedRow | NoteRow;

/**
 * The run keeps one core busy, so a 1-minute load average well above 1 at its
 * end means other processes competed for the cores and the numbers are noisier.
 */
export function loadLine(atStart: number): string {
  const atEnd = os.loadavg()[0];
  const busy = atEnd > 1.5 ? ' — other processes were busy: expect noisier numbers' : '';
  return `load:    1-minute load average ${atStart.toFixed(2)} at start, ${atEnd.toFixed(2)} at end${busy}`;
}

export function header(lines: readonly string[]): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    'gradc bench — one MLP training step: forward + backward, i.e. the loss and its',
    'gradient with respect to every weight (not with respect to the input batch).',
    `machine: ${cpu}, ${os.cpus().length} cores, ${os.platform()} ${os.arch()}, Node ${process.version}`,
    `date:    ${new Date().toISOString()}`,
    ...lines,
  ].join('\n');
}

const COLUMNS = [
  'config', 'peer', 'dtype', 'mean ms', '± rme', 'ops/s', 'median ms', 'GFLOP/s', 'samples', 'vs baseline',
];
const RIGHT = new Set(COLUMNS.slice(3));

function cells(row: Row): string[] {
  if ('note' in row) return [row.config, row.peer, row.note];
  return [
    row.config, row.peer, row.dtype,
    row.meanMs.toFixed(3), `${row.rmePercent.toFixed(1)}%`, (1000 / row.meanMs).toFixed(1),
    row.medianMs.toFixed(3), row.gflops.toFixed(2), String(row.samples), `${row.ratio.toFixed(2)}×`,
  ];
}

/** One aligned table; a note row runs across the columns after `peer`. */
export function table(rows: readonly Row[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((title, i) =>
    Math.max(title.length, ...body.filter((r) => r.length === COLUMNS.length).map((r) => r[i].length)));
  const pad = (text: string, i: number): string =>
    RIGHT.has(COLUMNS[i]) ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (r: readonly string[]): string =>
    (r.length === COLUMNS.length ? r.map(pad) : [pad(r[0], 0), pad(r[1], 1), r[2]]).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const out = [line(COLUMNS), rule];
  body.forEach((r, i) => {
    if (i > 0 && rows[i].config !== rows[i - 1].config) out.push('');
    out.push(line(r));
  });
  return out.join('\n');
}
