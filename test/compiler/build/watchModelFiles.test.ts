/** --watch: recompiles on change and keeps going after a mistake in a model file. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InputReport } from '../../../compiler/build/compileModelFiles.ts';
import { watchModelFiles, watchRoot, type ModelWatcher } from '../../../compiler/build/watchModelFiles.ts';
import { echoGenerate } from './echoGenerate.ts';

let dir: string;
let watcher: ModelWatcher | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradc-watch-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/a.model.ts'), 'one');
});
afterEach(async () => {
  await watcher?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** chokidar drops a change event within 50 ms of the previous one for the same file (its throttle); people do not save that fast. */
async function edit(path: string, text: string): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  writeFileSync(join(dir, path), text);
}

/** Collects rounds and lets a test wait for the next one. */
function rounds() {
  const seen: (readonly InputReport[])[] = [];
  let wake: (() => void) | undefined;
  return {
    onRound: (reports: readonly InputReport[]) => {
      seen.push(reports);
      wake?.();
    },
    next: async (count: number) => {
      while (seen.length < count) await new Promise<void>((resolve) => (wake = resolve));
      return seen[count - 1]!;
    },
  };
}

describe('watchModelFiles', () => {
  it('watches the folder before the first glob segment', () => {
    expect(watchRoot('src/**/*.model.ts', '/p')).toBe('/p/src');
    expect(watchRoot('src/a.model.ts', '/p')).toBe('/p/src');
  });

  it('compiles at once, recompiles on change, reports a mistake and recovers, and picks up new files', async () => {
    const r = rounds();
    watcher = watchModelFiles({ patterns: ['src/*.model.ts'], cwd: dir, options: {}, generate: echoGenerate(dir), onRound: r.onRound, debounceMs: 20 });
    expect((await r.next(1))[0]!.outputs[0]!.status).toBe('written');
    await watcher.ready;
    await edit('src/a.model.ts', 'two');
    expect((await r.next(2))[0]!.outputs[0]!.status).toBe('written');
    expect(readFileSync(join(dir, 'src/a.grad.ts'), 'utf8')).toContain('"TWO"');
    await edit('src/a.model.ts', 'fail');
    expect((await r.next(3))[0]!.error).toBeDefined();
    await edit('src/a.model.ts', 'three');
    expect((await r.next(4))[0]!.outputs[0]!.status).toBe('written');
    await edit('src/b.model.ts', 'new');
    const withNew = await r.next(5);
    expect(withNew.map((report) => report.input)).toEqual(['src/a.model.ts', 'src/b.model.ts']);
    expect(withNew[0]!.outputs[0]!.status).toBe('unchanged');
  });

});
