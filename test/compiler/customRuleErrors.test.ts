/**
 * Malformed customDerivative declarations are rejected with the place
 * (file:line:col), what is wrong and what to write instead: a primal or a
 * rule that is not a function literal, rules of the wrong arity, unknown
 * rules, a VJP with the wrong number of cotangents or a JVP of the wrong
 * shape, rules that call the function they define, customDerivative inside
 * a body or not imported from the prelude.
 */
import { describe, expect, it } from 'vitest';
import { ModelFileError, parseModelFile } from '../../compiler/frontend/typescript/parseModelFile.ts';

const HEADER = "import { customDerivative, mul, sum } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n";
const USE = '\nexport function f(x: Param<Tensor<[3]>>): number {\n  return sum(g(x));\n}\n';
const FILE = 'custom.model.ts';

function place(source: string, header = HEADER): { text: string; line: number; column: number } {
  const full = header + source;
  const index = full.indexOf('@@');
  const before = full.slice(0, index).split('\n');
  return { text: full.replace('@@', ''), line: before.length, column: before[before.length - 1]!.length + 1 };
}

function rejection(text: string): ModelFileError {
  try {
    parseModelFile(FILE, { text });
  } catch (e) {
    if (e instanceof ModelFileError) return e;
    throw e;
  }
  throw new Error('expected the model file to be rejected');
}

const CASES: readonly { name: string; source: string; message: RegExp; header?: string }[] = [
  {
    name: 'a rule that is not a function literal',
    source: 'function d(x: Tensor<[3]>, xDot: Tensor<[3]>): Tensor<[3]> {\n  return xDot;\n}\nconst g = customDerivative((x: Tensor<[3]>): Tensor<[3]> => x, { @@jvp: d });' + USE,
    message: /the jvp rule of 'g' must be a function literal/,
  },
  {
    name: 'a primal that is not a function literal',
    source: 'function h(x: Tensor<[3]>): Tensor<[3]> {\n  return x;\n}\nconst g = customDerivative(@@h, { vjp: (x, y, yBar) => yBar });' + USE,
    message: /the first argument of customDerivative must be a function literal/,
  },
  {
    name: 'rules that are not an object literal',
    source: 'const g = customDerivative((x: Tensor<[3]>): Tensor<[3]> => x, @@0);' + USE,
    message: /the second argument of customDerivative must be an object literal of rules/,
  },
  {
    name: 'a jvp of the wrong arity',
    source: 'const g = customDerivative((x: Tensor<[3]>): Tensor<[3]> => x, { jvp: @@(x) => x });' + USE,
    message: /the jvp rule of 'g' takes 1 parameter\(s\); it must take 2 \(the arguments, then one tangent per argument\) or 3/,
  },
  {
    name: 'a vjp of the wrong arity',
    source: 'const g = customDerivative((x: Tensor<[3]>): Tensor<[3]> => x, { vjp: @@(x, yBar) => yBar });' + USE,
    message: /the vjp rule of 'g' takes 2 parameter\(s\); it must take 3 \(the arguments, the output and its cotangent\)/,
  },
  {
    name: 'an unknown rule',
    source: 'const g = customDerivative((x: Tensor<[3]>): Tensor<[3]> => x, { @@hvp: (x, y, yBar) => yBar });' + USE,
    message: /'hvp' is not a rule of customDerivative/,
  },
  {
    name: 'a vjp with one cotangent for two arguments',
    source: 'const g2 = customDerivative((a: Tensor<[3]>, b: Tensor<[3]>): Tensor<[3]> => mul(a, b), { vjp: @@(a, b, y, yBar) => mul(yBar, b) });\nexport function f(x: Param<Tensor<[3]>>): number {\n  return sum(g2(x, x));\n}\n',
    message: /the vjp rule of 'g2' must return a list of 2 cotangents, one per argument, but returns one value/,
  },
  {
    name: 'a rule that calls the function it defines',
    source: 'const g = customDerivative((x: Tensor<[3]>): Tensor<[3]> => mul(x, x), { vjp: (x, y, yBar) => mul(yBar, @@g(x)) });' + USE,
    message: /the rules of 'g' call 'g' itself/,
  },
  {
    name: 'customDerivative inside a function body',
    source: 'export function f(x: Param<number>): number {\n  return @@customDerivative((y: number): number => y, {})(x);\n}\n',
    message: /customDerivative defines a function: it may be called only at the top level of the file/,
  },
  {
    name: 'customDerivative not imported from the prelude',
    header: "import { mul, sum } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n",
    source: 'const g = @@customDerivative((x: Tensor<[3]>): Tensor<[3]> => x, { vjp: (x, y, yBar) => yBar });' + USE,
    message: /'customDerivative' is not imported from gradc\/prelude/,
  },
];

describe('malformed custom rules', () => {
  for (const c of CASES) {
    it(`locates ${c.name}`, () => {
      const { text, line, column } = place(c.source, c.header);
      const error = rejection(text);
      const d = error.diagnostics.find((x) => c.message.test(x.message));
      expect(d, error.format()).toBeDefined();
      expect(d!.location).toEqual({ file: FILE, line, column });
      expect(error.format()).toContain(`${FILE}:${line}:${column}`);
      expect(error.format()).not.toMatch(/\n\s+at /);
    });
  }

  it('locates a jvp whose tangent has the wrong shape at the customDerivative call', () => {
    const { text, line, column } = place('const g = @@customDerivative((x: Tensor<[3]>): Tensor<[3]> => x, { jvp: (x, xDot) => add(zeros([2]), sum(xDot)) });' + USE, HEADER.replace('customDerivative,', 'add, customDerivative, zeros,'));
    const error = rejection(text);
    const d = error.diagnostics.find((x) => /the JVP of g has shape \[2\] but must have shape \[3\]/.test(x.message));
    expect(d, error.format()).toBeDefined();
    expect(d!.location).toEqual({ file: FILE, line, column });
  });
});
