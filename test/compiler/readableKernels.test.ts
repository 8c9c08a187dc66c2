/**
 * The checked-in generated modules (model goldens and examples) stay
 * readable: index and size arithmetic is folded where it is built
 * (emit/loops/dims.ts plusIndex/timesIndex), so `x[1 * 1 + i0]`,
 * `fill(0, 20, 20 + 5)` or `new Float64Array(0 + batch)` never appear, and
 * no comment line stands with no code under it. Scanning every file keeps
 * these from coming back through a new emitter path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const goldenDir = join(root, 'test', 'compiler', 'golden', 'models');
const examplesDir = join(root, 'examples');

function generatedModules(): string[] {
  const goldens = readdirSync(goldenDir).filter((f) => f.endsWith('.grad.ts')).map((f) => join(goldenDir, f));
  const examples = readdirSync(examplesDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.grad.ts'))
    .map((f) => join(examplesDir, f));
  return [...goldens, ...examples];
}

/** Index and size positions: `a[…]`, `new Float64Array(…)`, `.fill(…)`. Comments are left out. */
function indexPositions(code: string): string[] {
  const text = code
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, ''))
    .join('\n');
  const found: string[] = [];
  for (const m of text.matchAll(/\w\[([^[\]]*)\]/g)) found.push(m[1]!);
  for (const m of text.matchAll(/new Float64Array\(([^()]*)\)/g)) found.push(m[1]!);
  for (const m of text.matchAll(/\.fill\(([^()]*)\)/g)) found.push(...m[1]!.split(',').slice(1));
  return found;
}

const UNFOLDED = [/\b1 \* /, / \* 1\b/, /\b0 \+ /, /\+ 0\b/, /\b\d+ [+*] \d+\b/];

/** A comment line directly followed by another comment line or a closing brace. */
function commentsWithoutCode(code: string): string[] {
  const lines = code.split('\n');
  const bad: string[] = [];
  lines.forEach((line, i) => {
    const next = lines[i + 1];
    if (!/^\s*\/\/ /.test(line) || next === undefined) return;
    if (/^\s*(\/\/|\})/.test(next)) bad.push(`${i + 1}: ${line.trim()}`);
  });
  return bad;
}

describe('readable generated modules', () => {
  const files = generatedModules();

  it('finds the five model goldens and the examples', () => {
    expect(files.filter((f) => f.startsWith(goldenDir)).length).toBe(5);
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files.map((f) => [f.slice(root.length + 1), f]))('%s: index arithmetic is folded', (_name, file) => {
    const unfolded = indexPositions(readFileSync(file, 'utf8')).filter((e) => UNFOLDED.some((p) => p.test(e)));
    expect(unfolded).toEqual([]);
  });

  it.each(files.map((f) => [f.slice(root.length + 1), f]))('%s: no multiplication by a constant 1 in the arithmetic either (uniform constants fold through broadcasts)', (_name, file) => {
    const code = readFileSync(file, 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*|\/\*\*)/.test(l));
    expect(code.filter((l) => /[^\w.]1 \* | \* 1(?![\w.])/.test(l))).toEqual([]);
  });

  it.each(files.map((f) => [f.slice(root.length + 1), f]))('%s: every comment has code under it', (_name, file) => {
    expect(commentsWithoutCode(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('the scanners catch what they look for', () => {
    expect(indexPositions('x[1 * 1 + i0] = 0; out.fill(0, 20, 20 + 5); new Float64Array(0 + batch);').filter((e) => UNFOLDED.some((p) => p.test(e))))
      .toEqual(['1 * 1 + i0', '0 + batch', ' 20 + 5']);
    expect(commentsWithoutCode('  // a\n  // b\n  x = 1;\n  // c\n}')).toEqual(['1: // a', '4: // c']);
  });
});
