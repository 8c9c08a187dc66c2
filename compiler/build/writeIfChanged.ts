/**
 * Writes a generated file only when its bytes differ from what is on disk,
 * and atomically (a temporary file renamed over the old one), so a reader —
 * a bundler, tsc, a test — never sees a half-written module, and an
 * unchanged module keeps its modification time and does not wake watchers.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** The file's bytes, or undefined when it does not exist. */
export function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** True when `path` holds exactly `content` encoded as UTF-8. */
export function isUpToDate(path: string, content: string): boolean {
  const existing = readIfExists(path);
  return existing !== undefined && existing.equals(Buffer.from(content, 'utf8'));
}

/** Writes `content` to `path` unless it is already there; returns whether it wrote. */
export function writeIfChanged(path: string, content: string): boolean {
  if (isUpToDate(path, content)) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic.sync(path, content, { encoding: 'utf8' });
  return true;
}
