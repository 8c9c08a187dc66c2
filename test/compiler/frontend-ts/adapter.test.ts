/**
 * The adapter boundary: ts-morph is imported by one file only, so the rest
 * of the front end (fence, lowering) works on our own AST.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readModule } from '../../../compiler/frontend/typescript/adapter.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the TypeScript adapter', () => {
  it('is the only compiler file that imports ts-morph', () => {
    const importers = sources('compiler').filter((f) => /from 'ts-morph'/.test(readFileSync(f, 'utf8')));
    expect(importers).toEqual([join('compiler', 'frontend', 'typescript', 'adapter.ts')]);
  });

  it('converts the subset into the model-file AST, with 1-based positions', () => {
    const text = [
      "import { sum } from 'gradc/prelude';",
      "import type { Param, Tensor } from 'gradc/prelude';",
      '/** Doc. @wrt w */',
      "export function f(w: Param<Tensor<['batch', 3]>>, k: number): number {",
      '  let t = 0;',
      '  for (let i = 0; i < 3; i += 2) t += k * i;',
      '  return t + sum(w);',
      '}',
    ].join('\n');
    const m = readModule('m.model.ts', text);
    expect(m.imports.map((i) => [i.from, [...i.names.keys()], i.typeOnly])).toEqual([
      ['gradc/prelude', ['sum'], false], ['gradc/prelude', ['Param', 'Tensor'], true],
    ]);
    const [f] = m.functions;
    expect(f).toMatchObject({ name: 'f', exported: true, doc: 'Doc.', wrtTag: ['w'], at: { line: 4, column: 1 } });
    expect(f!.params.map((p) => [p.name, p.type])).toEqual([
      ['w', { kind: 'param', at: { line: 4, column: 22 }, inner: { kind: 'tensor', at: { line: 4, column: 28 }, dims: ['batch', 3] } }],
      ['k', { kind: 'number', at: { line: 4, column: 54 } }],
    ]);
    expect(f!.body.map((s) => s.kind)).toEqual(['declare', 'for', 'return']);
    const loop = f!.body[1]!;
    expect(loop.kind === 'for' && [loop.loop.variable, loop.loop.compare, loop.loop.step]).toEqual(['i', '<', { kind: 'number', at: { line: 6, column: 31 }, value: 2 }]);
  });
});
