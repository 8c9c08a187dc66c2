// JSON data: an array of records ({ "sepalLength": 5.1, …, "species": "setosa" }).
import { readFileSync } from 'node:fs';
import type { Dataset } from './dataset.ts';
import { tableToDataset, type TableOptions } from './tabular.ts';

export function loadJson(path: string, options: TableOptions): Dataset {
  return parseJson(readFileSync(path, 'utf8'), options, path);
}

/** Parses JSON text holding an array of records; `name` is used in error messages. */
export function parseJson(text: string, options: TableOptions, name = '<json>'): Dataset {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RangeError(`${name}: ${(error as Error).message}`);
  }
  if (!Array.isArray(value) || !value.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
    throw new RangeError(`${name}: expected an array of records like [{ "x1": 1.5, "label": "a" }, …].`);
  }
  return tableToDataset(value as Record<string, unknown>[], options, (row) => `${name}: record ${row}`);
}
