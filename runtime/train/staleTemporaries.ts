// write-file-atomic writes `<path>.<n>` (n a 32-bit unsigned hash of pid, thread and
// call count, in decimal), fsyncs it and renames it over `<path>`. A process killed
// between the two leaves the temporary behind for ever, and every kill adds one of
// the checkpoint's size. The next run with the same checkpoint path removes them:
// only regular files in the checkpoint's folder whose whole name is the checkpoint's
// name, a dot and such a number.
import { existsSync, lstatSync, readdirSync, realpathSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const UINT32_MAX = 2 ** 32 - 1;

/** Removes the stale temporaries of checkpoint `path`; returns the paths removed. */
export function removeStaleTemporaries(path: string): string[] {
  // write-file-atomic names the temporary after the real path when the file exists.
  const names = new Set([path]);
  if (existsSync(path)) names.add(realpathSync(path));
  const removed: string[] = [];
  for (const name of names) {
    const folder = dirname(name);
    const base = basename(name);
    let entries: string[];
    try {
      entries = readdirSync(folder);
    } catch {
      continue; // No folder yet: nothing was ever written there.
    }
    for (const entry of entries) {
      if (!isTemporaryName(entry, base)) continue;
      const file = join(folder, entry);
      if (!lstatSync(file).isFile()) continue;
      unlinkSync(file);
      removed.push(file);
    }
  }
  return removed;
}

/** True when `entry` is `<base>.<n>` with n a decimal 32-bit unsigned integer as write-file-atomic prints it. */
export function isTemporaryName(entry: string, base: string): boolean {
  if (!entry.startsWith(`${base}.`)) return false;
  const suffix = entry.slice(base.length + 1);
  return /^(0|[1-9][0-9]{0,9})$/.test(suffix) && Number(suffix) <= UINT32_MAX;
}
