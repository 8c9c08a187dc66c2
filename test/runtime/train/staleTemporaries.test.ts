// A kill between write-file-atomic's write and rename leaves `<path>.<n>` behind;
// the next run with that checkpoint path removes exactly those files and nothing
// that merely looks similar.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { describe, expect, it } from 'vitest';
import { SGD, removeStaleTemporaries, train } from '../../../runtime/index.ts';
import { isTemporaryName } from '../../../runtime/train/staleTemporaries.ts';
import { makeRegression, mseLoss } from './problems.ts';

// write-file-atomic exports its name maker for tests; its types do not declare it.
const tmpname = (writeFileAtomic as unknown as { _getTmpname(file: string): string })._getTmpname;

describe('stale checkpoint temporaries', () => {
  it('the pattern matches the names write-file-atomic makes', () => {
    const path = join(tmpdir(), 'ckpt.json');
    for (let k = 0; k < 50; k++) expect(isTemporaryName(basename(tmpname(path)), 'ckpt.json')).toBe(true);
  });

  it('the next run removes them, and only them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-stale-'));
    const path = join(dir, 'ckpt.json');
    const stale = ['ckpt.json.0', 'ckpt.json.123456', 'ckpt.json.4294967295', basename(tmpname(path))];
    const kept = ['ckpt.json.bak', 'ckpt.json.12a', 'ckpt.json.4294967296', 'ckpt.json.00', 'ckpt.json.', 'ckpt.json.1.2', 'other.json.123', 'xckpt.json.5', 'ckpt.json.12345678901'];
    for (const name of [...stale, ...kept]) writeFileSync(join(dir, name), 'partial');
    mkdirSync(join(dir, 'ckpt.json.77'));
    const data = makeRegression(16, 2, 0.1, 3);
    const notes: string[] = [];
    await train({
      params: new Float64Array(3),
      examples: data.count,
      loss: mseLoss(data),
      optimizer: new SGD({ lr: 0.1 }),
      epochs: 1,
      batchSize: 8,
      checkpoint: { path },
      progress: { write: (text: string) => void notes.push(text) },
    });
    const left = readdirSync(dir).sort();
    expect(left).toEqual(['ckpt.json', 'ckpt.json.77', ...kept].sort());
    expect(notes.join('')).toContain(`removed ${stale.length} temporary files left by an interrupted checkpoint write`);
  });

  it('follows a symlinked checkpoint to the folder where its temporaries are', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-stale-link-'));
    mkdirSync(join(dir, 'real'));
    const target = join(dir, 'real', 'ckpt.json');
    writeFileSync(target, '{}');
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    writeFileSync(join(dir, 'real', 'ckpt.json.42'), 'partial');
    writeFileSync(join(dir, 'link.json.43'), 'partial');
    const removed = removeStaleTemporaries(link).sort();
    expect(removed).toEqual([join(dir, 'link.json.43'), join(dir, 'real', 'ckpt.json.42')]);
    expect(existsSync(target)).toBe(true);
  });

  it('a checkpoint folder that does not exist yet is not an error', () => {
    expect(removeStaleTemporaries(join(tmpdir(), 'gradc-no-such-folder-x9', 'ckpt.json'))).toEqual([]);
  });
});
