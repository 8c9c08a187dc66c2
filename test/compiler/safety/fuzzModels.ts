/**
 * Model files for the fuzz test: objectives written from the usual
 * optimization benchmarks (Beale, Booth, Himmelblau, Styblinski–Tang,
 * Rastrigin, Ackley, a softplus regression, a small perceptron, a recurrence),
 * then mutated token by token the way an editor mid-keystroke leaves a file:
 * tokens deleted, doubled, swapped, or replaced with ones that break syntax,
 * types, names, shapes or comments.
 */
import fc from 'fast-check';

const HEADER = `import { add, exp, log, matmul, mean, mul, softplus, sqrt, square, sub, sum, tanh, cos, gather } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';
`;

/** Objectives with literal-sized parameters and no data: every compiled one can be checked by finite differences. */
export const BASE_MODELS: readonly string[] = [
  `${HEADER}
/** Beale's function: minimum 0 at (3, 0.5). */
export function beale(x: Param<number>, y: Param<number>): number {
  return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2;
}
`,
  `${HEADER}
/** Booth's function and Himmelblau's, side by side. */
export function booth(x: Param<number>, y: Param<number>): number {
  return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2;
}

export function himmelblau(x: Param<number>, y: Param<number>): number {
  const a = x * x + y - 11;
  const b = x + y * y - 7;
  return a * a + b * b;
}
`,
  `${HEADER}
/** Styblinski–Tang in four dimensions: ½ Σ xᵢ⁴ − 16 xᵢ² + 5 xᵢ. */
export function styblinskiTang(x: Param<Tensor<[4]>>): number {
  const x2 = square(x);
  return 0.5 * sum(add(sub(square(x2), mul(16, x2)), mul(5, x)));
}
`,
  `${HEADER}
const A = 10;

/** Rastrigin in three dimensions: A n + Σ xᵢ² − A cos(2π xᵢ). */
export function rastrigin(x: Param<Tensor<[3]>>): number {
  return A * 3 + sum(sub(square(x), mul(A, cos(mul(2 * Math.PI, x)))));
}
`,
  `${HEADER}
/** Ackley's function in two dimensions. */
export function ackley(x: Param<number>, y: Param<number>): number {
  const r = Math.sqrt(0.5 * (x * x + y * y) + 1e-12);
  const c = 0.5 * (Math.cos(2 * Math.PI * x) + Math.cos(2 * Math.PI * y));
  return -20 * Math.exp(-0.2 * r) - Math.exp(c) + Math.E + 20;
}
`,
  `${HEADER}
/** A softplus regression on fixed inputs: Σ softplus(w·xᵢ + b) − yᵢ (w·xᵢ + b) + λ‖w‖². */
export function logistic(w: Param<Tensor<[3]>>, b: Param<number>): number {
  let total = 0;
  for (let i = 0; i < 4; i++) {
    const z = (i + 1) * 0.25 * sum(w) + b - 0.5 * i;
    total = total + Math.log(1 + Math.exp(z)) - (i > 1 ? 1 : 0) * z;
  }
  return total + 0.01 * sum(square(w));
}
`,
  `${HEADER}
/** A 2 → 3 → 1 tanh perceptron on one fixed input, squared error against 0.3. */
export function perceptron(W1: Param<Tensor<[3, 2]>>, b1: Param<Tensor<[3]>>, w2: Param<Tensor<[3]>>, c: Param<number>): number {
  const hidden = tanh(add(matmul(W1, [0.5, -1.0]), b1));
  const out = sum(mul(hidden, w2)) + c;
  return (out - 0.3) ** 2;
}
`,
  `${HEADER}
/** A scalar recurrence h ← tanh(a h + b) over six steps, then (h − 0.5)². */
export function recurrence(a: Param<number>, b: Param<number>): number {
  let h = 0.1;
  for (let t = 0; t < 6; t++) {
    h = Math.tanh(a * h + b);
  }
  return (h - 0.5) ** 2;
}

/** A helper called from an exported function. */
function shifted(x: number, by: number): number {
  return x - by;
}

export function quartic(x: Param<number>): number {
  return shifted(x, 2) ** 4 + Math.log(1 + x * x);
}
`,
];

/** Tokens with their separators kept, so joining them gives the text back. */
export function tokens(text: string): string[] {
  return text.match(/\/\*\*?[\s\S]*?\*\/|\/\/[^\n]*|'[^'\n]*'|[A-Za-z_$][\w$]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?|\*\*|=>|[<>=!]=|\+\+|--|\s+|./g) ?? [];
}

/** What an edit leaves behind: broken syntax, wrong names, bad shapes, comment terminators. */
const REPLACEMENTS = [
  '+', ';', ')', '(', '{', '}', '[', ']', ',', '=', '.', '<', '>', "'", '"', '`',
  "'a'b'", '-1', '0', '1.5', 'NaN', 'Infinity', '1e400', '-0',
  'x', 'y', 'w', 'return', 'const', 'let', 'for', 'if', 'while', 'function', 'export', 'async', 'await', 'new', 'class',
  'constructor', '__proto__', 'toString', 'arguments', 'eval', 'this', 'undefined', 'null',
  '\u2028', '*/', '/*', '//', '\n', '\\u0041', 'Param<number>', 'Tensor<[0]>', 'Tensor<[-2]>', 'Tensor<[2.5]>', "Tensor<['n']>",
  'any', 'unknown', 'string', 'Math.random()', 'Date.now()', 'console.log(1)',
];

type Edit =
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'double'; readonly at: number }
  | { readonly kind: 'swap'; readonly at: number }
  | { readonly kind: 'replace'; readonly at: number; readonly text: string }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'copy'; readonly at: number; readonly from: number }
  | { readonly kind: 'number'; readonly at: number; readonly text: string }
  | { readonly kind: 'operator'; readonly at: number; readonly text: string };

/** An edit, and whether it lands in the import header (a tenth of the time) or in the model below it. */
const edit: fc.Arbitrary<Edit & { readonly header: boolean }> = fc.oneof(
  // Edits that keep the file valid TypeScript: the module must then compile and be right.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('number' as const), at: fc.nat(), text: fc.constantFrom('0', '1', '2', '0.5', '3.25', '1e-3', '7') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('operator' as const), at: fc.nat(), text: fc.constantFrom('+', '-', '*', '/', '**') }) },
  // Edits that mostly break it: the compiler must then say where.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('double' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: fc.constantFrom(...REPLACEMENTS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...REPLACEMENTS) }) },
  // Another token of the same file in this place: a parameter name twice, a size where a name was, …
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('copy' as const), at: fc.nat(), from: fc.nat() }) },
).chain((e) => fc.nat({ max: 9 }).map((d) => ({ ...e, header: d === 0 })));

const isSpace = (t: string) => /^\s+$/.test(t);
const isNumber = (t: string) => /^\d/.test(t);
const isOperator = (t: string) => /^(\+|-|\*|\/|\*\*)$/.test(t);

/** Applies an edit to a token of the header or of the body (never to whitespace, where edits rarely matter). */
function apply(toks: readonly string[], e: Edit & { readonly header: boolean }): string[] {
  const bodyStart = toks.findIndex((t) => t.startsWith('/**'));
  const region = (i: number) => (e.header ? i < bodyStart : i >= bodyStart);
  const wanted = e.kind === 'number' ? isNumber : e.kind === 'operator' ? isOperator : (t: string) => !isSpace(t);
  const candidates = toks.map((t, i) => [t, i] as const).filter(([t, i]) => region(i) && wanted(t)).map(([, i]) => i);
  const solid = toks.map((t, i) => [t, i] as const).filter(([t]) => !isSpace(t)).map(([, i]) => i);
  if (candidates.length === 0) return [...toks];
  const i = candidates[e.at % candidates.length]!;
  const out = [...toks];
  switch (e.kind) {
    case 'delete':
      out.splice(i, 1);
      break;
    case 'double':
      out.splice(i, 0, toks[i]!);
      break;
    case 'swap': {
      const j = candidates[(e.at + 1) % candidates.length]!;
      [out[i], out[j]] = [toks[j]!, toks[i]!];
      break;
    }
    case 'replace':
    case 'number':
    case 'operator':
      out[i] = e.text;
      break;
    case 'insert':
      out.splice(i, 0, e.text);
      break;
    case 'copy':
      out[i] = toks[solid[e.from % solid.length]!]!;
      break;
  }
  return out;
}

/** A base model with 1–3 token edits. */
export const fuzzedModel: fc.Arbitrary<{ readonly base: number; readonly text: string }> = fc
  .tuple(fc.nat({ max: BASE_MODELS.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 3 }))
  .map(([base, edits]) => ({ base, text: edits.reduce(apply, tokens(BASE_MODELS[base]!)).join('') }));
