/**
 * The fence: every unsupported construct is rejected before lowering with
 * file:line:col, the source line, what is wrong and what to write instead.
 * In each case `@@` marks where the diagnostic must point; it is removed
 * before parsing.
 */
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../compiler/errors.ts';
import { ModelFileError, parseModelFile } from '../../../compiler/frontend/typescript/parseModelFile.ts';

const HEADER = "import { add, sum, tensor, relu } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n";
const FILE = 'fence.model.ts';

/** The text without the marker, and the marker's 1-based line and column. */
function place(source: string): { text: string; line: number; column: number } {
  const full = HEADER + source;
  const index = full.indexOf('@@');
  if (index < 0 || full.indexOf('@@', index + 1) >= 0) throw new Error('each case needs exactly one @@ marker');
  const before = full.slice(0, index).split('\n');
  return { text: full.replace('@@', ''), line: before.length, column: before[before.length - 1]!.length + 1 };
}

function diagnosticsOf(text: string): readonly SourceError[] {
  try {
    parseModelFile(FILE, { text });
  } catch (e) {
    if (e instanceof ModelFileError) return e.diagnostics;
    throw e;
  }
  throw new Error('expected the model file to be rejected');
}

interface Case {
  readonly name: string;
  readonly source: string;
  readonly message: RegExp;
  /** A word the advice must contain. */
  readonly hint: RegExp;
}

const fn = (body: string, params = 'x: Param<number>') => `export function f(${params}): number {\n${body}\n}\n`;

const CASES: readonly Case[] = [
  { name: 'class', source: '@@class Model {}\n' + fn('  return x;'), message: /classes are not supported/, hint: /exported functions/ },
  { name: 'closure over mutable state', source: fn('  let acc = x;\n  const g = @@() => acc * 2;\n  return acc;'), message: /closes over the mutable variable 'acc'/, hint: /top level/ },
  { name: 'nested function', source: fn('  @@function twice(t: number): number { return 2 * t; }\n  return x;'), message: /functions defined inside a model function/, hint: /top level/ },
  { name: 'direct recursion', source: fn('  return x > 0 ? @@f(x - 1) : 0;'), message: /recursion is not supported: 'f' calls itself/, hint: /for loop/ },
  {
    name: 'mutual recursion',
    source: 'function a(t: number): number { return b(t); }\nfunction b(t: number): number { return @@a(t); }\n' + fn('  return a(x);'),
    message: /'a' → 'b' → 'a' is mutual recursion/, hint: /inlined/,
  },
  { name: 'async function', source: '@@export async function f(x: Param<number>): Promise<number> {\n  return x;\n}\n', message: /async functions are not supported/, hint: /synchronously/ },
  { name: 'await', source: 'export async function f(x: Param<number>): Promise<number> {\n  return @@await x;\n}\n', message: /`await` is not supported/, hint: /parameter/ },
  { name: 'generator', source: '@@export function* f(x: Param<number>): Generator<number> {\n  yield x;\n}\n', message: /generator functions are not supported/, hint: /Return a value/ },
  { name: 'try/catch', source: fn('  @@try {\n    return x;\n  } catch {\n    return 0;\n  }'), message: /try\/catch is not supported/, hint: /calls the generated module/ },
  { name: 'throw', source: fn("  if (x > 1) {\n    @@throw new Error('big');\n  }\n  return x;"), message: /`throw` is not supported/, hint: /Check inputs/ },
  { name: 'array mutation (pop)', source: fn('  const xs = [x];\n  @@xs.pop();\n  return x;'), message: /'\.pop\(…\)' mutates an array/, hint: /ys\.push\(y\) into a list/ },
  { name: 'index assignment', source: fn('  const xs = [x];\n  @@xs[0] = 2;\n  return x;'), message: /assigning to an element mutates/, hint: /where\(\)/ },
  { name: 'property assignment', source: fn('  const xs = [x];\n  @@xs.length = 0;\n  return x;'), message: /assigning to a property mutates/, hint: /new const/ },
  { name: 'unknown function', source: fn('  return @@softclip(x);'), message: /unknown function 'softclip'/, hint: /gradc\/prelude/ },
  { name: 'any type', source: fn('  const v: @@any = x;\n  return v;'), message: /`any`\/`unknown` types are not supported/, hint: /model type/ },
  { name: 'cast to any', source: fn('  return (x as @@any) * 2;'), message: /`any`\/`unknown` types are not supported/, hint: /shape/ },
  { name: 'while loop', source: fn('  let y = x;\n  @@while (y > 1) {\n    y = y / 2;\n  }\n  return y;'), message: /`while` loops are not supported/, hint: /for \(let i = 0; i < N; i\+\+\)/ },
  { name: 'do-while loop', source: fn('  let y = x;\n  @@do {\n    y = y / 2;\n  } while (y > 1);\n  return y;'), message: /`do … while` loops are not supported/, hint: /known at compile time/ },
  { name: 'switch', source: fn('  @@switch (x) {\n    case 1: return 1;\n    default: return x;\n  }'), message: /`switch` is not supported/, hint: /if\/else/ },
  { name: 'label', source: fn('  let y = x;\n  @@outer: for (let i = 0; i < 3; i++) {\n    y = y * 2;\n  }\n  return y;'), message: /labeled statements are not supported/, hint: /for loop/ },
  { name: 'break', source: fn('  let y = x;\n  for (let i = 0; i < 3; i++) {\n    @@break;\n  }\n  return y;'), message: /`break` is not supported/, hint: /if\/else/ },
  { name: 'continue', source: fn('  let y = x;\n  for (let i = 0; i < 3; i++) {\n    @@continue;\n  }\n  return y;'), message: /`continue` is not supported/, hint: /if statement/ },
  { name: 'new', source: fn('  const buffer = @@new Float64Array(3);\n  return x;'), message: /`new` is not supported/, hint: /zeros, ones, full/ },
  { name: 'this', source: fn('  return @@this * x;'), message: /`this` is not supported/, hint: /parameters/ },
  { name: 'var', source: fn('  @@var y = x;\n  return y;'), message: /`var` is not supported/, hint: /const/ },
  { name: 'module-level let', source: 'let @@calls = 0;\n' + fn('  return x;'), message: /module-level variable 'calls' is mutable/, hint: /const/ },
  { name: 'spread', source: fn('  const xs = [x, x];\n  return Math.max(@@...xs);'), message: /spread \(`...`\) is not supported/, hint: /one by one/ },
  { name: 'rest parameter', source: 'export function f(@@...xs: number[]): number {\n  return 0;\n}\n', message: /spread .*rest parameter 'xs'/, hint: /one by one/ },
  { name: 'delete', source: fn('  const xs = [x];\n  @@delete xs[0];\n  return x;'), message: /`delete` is not supported/, hint: /new value/ },
  { name: 'bitwise operator', source: fn('  return x @@| 0;'), message: /bitwise operators are not supported/, hint: /arithmetic/ },
  { name: 'Math.random', source: fn('  return @@Math.random() * x;'), message: /`Math\.random` is not supported/, hint: /seeded/ },
  { name: 'Date', source: fn('  return @@Date.now() * x;'), message: /`Date` is not supported/, hint: /parameter/ },
  { name: 'string value', source: fn("  const label = @@'loss';\n  return x;"), message: /strings are not supported as values in a model function: "loss"/, hint: /dimension/ },
  { name: 'optional chaining', source: fn('  const xs = [x];\n  return @@xs?.length;'), message: /optional chaining/, hint: /never null/ },
  { name: 'default parameter', source: 'export function f(@@x: number = 1): number {\n  return x;\n}\n', message: /default values for parameters are not supported \('x' of f\)/, hint: /explicitly/ },
  { name: 'untyped parameter', source: 'export function f(@@x): number {\n  return x;\n}\n', message: /the parameter 'x' has no type annotation/, hint: /Tensor<\['batch', 784\]>/ },
  { name: 'unsupported parameter type', source: 'export function f(x: @@string): number {\n  return 0;\n}\n', message: /the parameter 'x' has the unsupported type 'string'/, hint: /numbers or tensors/ },
  { name: 'for … of', source: fn('  let y = x;\n  @@for (const v of [1, 2]) {\n    y = y * v;\n  }\n  return y;'), message: /`for … of` loops are not supported/, hint: /for \(let i/ },
  { name: 'import of a non-model module', source: "@@import { readFileSync } from 'node:fs';\n" + fn('  return x;'), message: /can import only from 'gradc\/prelude' and other model files, not from 'node:fs'/, hint: /model\.ts/ },
  { name: 'remainder', source: fn('  return x @@% 2;'), message: /remainder operator/, hint: /calling script/ },
  { name: 'object literal', source: fn('  const o = @@{ a: x };\n  return x;'), message: /object literals are not supported/, hint: /expr\(\{ x, y \}\)/ },
  { name: 'destructuring', source: fn('  const @@[a, b] = [x, x];\n  return a;'), message: /destructuring is not supported/, hint: /separately/ },
  { name: 'return inside a loop', source: fn('  for (let i = 0; i < 3; i++) {\n    @@return x;\n  }\n  return x;'), message: /return inside a for loop/, hint: /after the loop/ },
  { name: 'unused value', source: fn('  @@add(x, 1);\n  return x;'), message: /the value of this expression is unused/, hint: /const/ },
  { name: 'untagged template', source: fn('  const s = @@`x is ${x}`;\n  return x;'), message: /template strings are not supported/, hint: /expr`/ },
  { name: '++ inside an expression', source: fn('  let i = 0;\n  const y = x * @@i++;\n  return y;'), message: /`\+\+`\/`--` inside an expression/, hint: /i \+= 1/ },
  { name: 'typeof', source: fn('  return @@typeof x === "number" ? x : 0;'), message: /`typeof` is not supported/, hint: /annotations/ },
  { name: 'null', source: fn('  const y = @@null;\n  return x;'), message: /`null` is not supported/, hint: /numbers, booleans and tensors/ },
  { name: 'nullish coalescing', source: fn('  return x @@?? 0;'), message: /the `\?\?` operator/, hint: /never null/ },
  { name: 'tensor data in a model function', source: fn('  return sum(@@tensor([1, 2], [2])) * x;'), message: /'tensor' makes a tensor from data/, hint: /zeros\/ones\/full/ },
  { name: 'unsupported Math function', source: fn('  return @@Math.floor(x);'), message: /'Math\.floor' is not supported/, hint: /Math\.sin/ },
  { name: '@wrt naming a non-parameter', source: '/** @wrt z */\n@@export function f(x: number): number {\n  return x;\n}\n', message: /@wrt names 'z', which is not a parameter of f/, hint: /Parameters: x/ },
  { name: 'method call on a value', source: fn('  const xs = [x];\n  return @@xs.at(0);'), message: /'xs\.at\(…\)' is not a function a model can call/, hint: /Math\.\* functions/ },
  { name: 'default export', source: '@@export default function f(x: Param<number>): number {\n  return x;\n}\n', message: /a default export is not supported/, hint: /named functions/ },
  { name: 'enum', source: '@@enum Mode { A, B }\n' + fn('  return x;'), message: /enums are not supported/, hint: /const/ },
  { name: 'top-level statement', source: fn('  return x;') + "@@console.log('loaded');\n", message: /only imports, functions, constants and types may appear at the top level/, hint: /script/ },
];

describe('the fence', () => {
  it(`covers at least 25 constructs (has ${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  for (const c of CASES) {
    it(`rejects ${c.name} at its line and column`, () => {
      const { text, line, column } = place(c.source);
      const found = diagnosticsOf(text).filter((d) => c.message.test(d.message));
      expect(found.map((d) => d.message), `no diagnostic matches ${c.message}; got ${diagnosticsOf(text).map((d) => `${d.location.line}:${d.location.column} ${d.message}`).join(' | ')}`).not.toEqual([]);
      const d = found[0]!;
      expect(d.location).toEqual({ file: FILE, line, column });
      expect(d.sourceLine).toBe(text.split('\n')[line - 1]);
      expect(d.hint).toMatch(c.hint);
    });
  }
});
