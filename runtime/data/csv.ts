// CSV files with a header row, parsed by csv-parse.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Dataset } from './dataset.ts';
import { tableToDataset, type TableOptions } from './tabular.ts';

export interface CsvOptions extends TableOptions {
  /** Default ','. */
  readonly delimiter?: string;
}

/** Loads a CSV file whose first row names the columns. */
export function loadCsv(path: string, options: CsvOptions): Dataset {
  return parseCsv(readFileSync(path, 'utf8'), options, path);
}

/** Parses CSV text; `name` is used in error messages. */
export function parseCsv(text: string, options: CsvOptions, name = '<csv>'): Dataset {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, info: true, delimiter: options.delimiter ?? ',' });
  } catch (error) {
    throw new RangeError(`${name}: ${(error as Error).message}`);
  }
  return tableToDataset(
    records.map((r) => r.record),
    options,
    (row) => `${name}:${records[row]?.info.lines ?? 1}`,
  );
}
