/**
 * What the fence says about each construct the adapter marks unsupported:
 * the message and the advice. One table, so every construct has both.
 */
import type { UnsupportedKind } from './ast.ts';

export interface Rule {
  readonly message: string;
  readonly hint: string;
}

export const PURE = 'Model functions are pure computations on numbers and tensors.';

/** The message and the advice for each construct the adapter marks unsupported. */
export const RULES: Record<UnsupportedKind, Rule> = {
  'class': { message: 'classes are not supported in a model file', hint: 'Write the model as exported functions that take their parameters as arguments.' },
  'async': { message: 'async functions are not supported', hint: 'Remove `async`: model functions compute synchronously.' },
  'await': { message: '`await` is not supported', hint: 'Load data in the script that calls the generated module and pass it in as a parameter.' },
  'generator': { message: 'generator functions are not supported', hint: 'Return a value; use a for loop with a constant bound to repeat work.' },
  'yield': { message: '`yield` is not supported', hint: 'Return a value instead.' },
  'try': { message: 'try/catch is not supported', hint: `${PURE} Handle errors in the script that calls the generated module.` },
  'throw': { message: '`throw` is not supported', hint: 'Check inputs in the script that calls the generated module.' },
  'while': { message: '`while` loops are not supported', hint: 'Use `for (let i = 0; i < N; i++)` with N known at compile time; for a data-dependent stop, bound it: `for (let i = 0; i < 100 && err > tol; i++)`.' },
  'do': { message: '`do … while` loops are not supported', hint: 'Use `for (let i = 0; i < N; i++)` with N known at compile time; for a data-dependent stop, bound it: `for (let i = 0; i < 100 && err > tol; i++)`.' },
  'switch': { message: '`switch` is not supported', hint: 'Use if/else or a conditional expression `c ? a : b`.' },
  'label': { message: 'labeled statements are not supported', hint: 'Use a for loop with a constant bound and if/else inside it.' },
  'break': { message: '`break` is not supported', hint: 'Loops run a number of times known at compile time; use if/else inside the loop body instead.' },
  'continue': { message: '`continue` is not supported', hint: 'Wrap the rest of the loop body in an if statement instead.' },
  'for-of': { message: '`for … of` loops are not supported', hint: 'Use `for (let i = 0; i < N; i++)` with N known at compile time.' },
  'for-in': { message: '`for … in` loops are not supported', hint: 'Use `for (let i = 0; i < N; i++)` with N known at compile time.' },
  'for-shape': { message: 'this form of for loop is not supported', hint: 'Write `for (let i = start; i < end; i++)` (or `i += step`, `>`/`<=`/`>=`, `i--`), one loop variable compared on the left.' },
  'new': { message: '`new` is not supported in a model function', hint: 'Make tensors with the prelude (zeros, ones, full) or pass them in as parameters.' },
  'this': { message: '`this` is not supported', hint: 'Pass what the function needs as parameters.' },
  'var': { message: '`var` is not supported', hint: 'Use `const`, or `let` for a variable you reassign.' },
  'spread': { message: 'spread (`...`) is not supported', hint: 'Pass the arguments one by one, or use concat/stack for tensors.' },
  'delete': { message: '`delete` is not supported', hint: `${PURE} Build a new value instead of changing one.` },
  'bitwise': { message: 'bitwise operators are not supported', hint: 'Use arithmetic (+ - * / **) and Math functions; for booleans use && and ||.' },
  'remainder': { message: 'the remainder operator `%` is not supported', hint: 'Compute it from Math.floor-free arithmetic, or precompute the values in the calling script.' },
  'string': { message: 'strings are not supported as values in a model function', hint: 'Strings may only name a dimension in a shape (e.g. reshape(x, [\'batch\', 10])) or a reduction (\'mean\' | \'sum\').' },
  'template': { message: 'template strings are not supported', hint: 'For embedded math, tag the template with expr: expr`${x}^2 + sin(${y})`.' },
  'optional-chain': { message: 'optional chaining (`?.`) is not supported', hint: 'Model values are never null or undefined; use `.` instead.' },
  'increment': { message: '`++`/`--` inside an expression is not supported', hint: 'Write `i += 1` as its own statement.' },
  'object': { message: 'object literals are not supported in a model function', hint: 'Pass and return numbers and tensors; an object literal is allowed only as expr({ x, y })`…`.' },
  'destructuring': { message: 'destructuring is not supported', hint: 'Declare each variable separately: const a = …; const b = …;' },
  'regex': { message: 'regular expressions are not supported', hint: PURE },
  'typeof': { message: '`typeof` is not supported', hint: 'Types are fixed by the annotations; branch on values instead.' },
  'instanceof': { message: '`instanceof` is not supported', hint: 'Types are fixed by the annotations; branch on values instead.' },
  'in': { message: 'the `in` operator is not supported', hint: PURE },
  'nullish': { message: 'the `??` operator is not supported', hint: 'Model values are never null or undefined.' },
  'element-access': { message: 'indexing is not supported here', hint: 'Use slice(x, axis, start, end) or gather(table, indices) for tensors; x.shape[i] for sizes.' },
  'property-assignment': { message: 'assigning to a property mutates an object, which is not supported', hint: `${PURE} Bind the new value to a new const instead.` },
  'index-assignment': { message: 'assigning to an element mutates an array or tensor, which is not supported', hint: 'Build the new tensor with where(), concat(), pad() or an arithmetic expression instead.' },
  'comma': { message: 'the comma operator is not supported', hint: 'Write each expression as its own statement.' },
  'nested-function': { message: 'functions defined inside a model function are not supported', hint: 'Move the helper to the top level of the file; it is inlined where it is called.' },
  'null': { message: '`null` is not supported', hint: 'Model values are numbers, booleans and tensors.' },
  'enum': { message: 'enums are not supported in a model file', hint: 'Use `const` numbers.' },
  'namespace': { message: 'namespaces are not supported in a model file', hint: 'Use top-level functions and constants.' },
  'export-default': { message: 'a default export is not supported', hint: 'Export named functions: export function loss(…) { … }.' },
  'statement': { message: 'this statement is not supported in a model function', hint: 'Use const/let, assignments, if/else, for loops with constant bounds and return.' },
  'expression': { message: 'this expression is not supported in a model function', hint: 'Use numbers, arithmetic, Math.*, prelude ops, conditionals and calls to model functions.' },
  'assignment-expression': { message: 'an assignment inside an expression is not supported', hint: 'Assign in its own statement: x = …;' },
  'module-statement': { message: 'only imports, functions, constants and types may appear at the top level of a model file', hint: 'Move code that runs to the script that uses the generated module.' },
  'void': { message: '`void` is not supported', hint: PURE },
};

/** Methods that change an array or object in place. */
export const MUTATORS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'set', 'copyWithin', 'assign']);

