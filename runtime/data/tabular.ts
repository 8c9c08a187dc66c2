// Turning table rows (from CSV or JSON) into a Dataset: named feature columns must be
// numbers; the target column may be numbers (regression, or class ids) or strings
// (class names, numbered in sorted order).
import { fromArrays, type Dataset } from './dataset.ts';

export interface TableOptions {
  /** The target column's name. */
  readonly target: string;
  /** Feature columns, in order. Default: every column but the target. */
  readonly features?: readonly string[];
}

/** A row's position in its file, for error messages. */
export type RowLocation = (row: number) => string;

export function tableToDataset(rows: readonly Readonly<Record<string, unknown>>[], options: TableOptions, where: RowLocation): Dataset {
  if (rows.length === 0) throw new RangeError(`${where(0)}: the table has no rows.`);
  const columns = Object.keys(rows[0]!);
  if (!columns.includes(options.target)) {
    throw new RangeError(`${where(0)}: there is no target column '${options.target}'; the columns are ${columns.join(', ')}.`);
  }
  const features = options.features ?? columns.filter((c) => c !== options.target);
  const x = rows.map((row, i) => features.map((name) => numberAt(row, name, () => where(i))));
  const raw = rows.map((row) => row[options.target]);
  const numeric = raw.every((v) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))));
  if (numeric) return fromArrays(x, raw.map(Number), { featureNames: features });
  const classes = [...new Set(raw.map(String))].sort();
  return fromArrays(x, raw.map((v) => classes.indexOf(String(v))), { featureNames: features, classes });
}

function numberAt(row: Readonly<Record<string, unknown>>, name: string, where: () => string): number {
  const v = row[name];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) {
    throw new RangeError(`${where()}: column '${name}' holds ${JSON.stringify(v)}, which is not a number; features must be numeric (encode categories as numbers first, or leave the column out with the features option).`);
  }
  return n;
}
