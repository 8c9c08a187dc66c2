/**
 * The model-file AST: the small subset of TypeScript the front end lowers,
 * in our own types, so that only the adapter knows ts-morph. Constructs
 * outside the subset are kept as `unsupported` nodes carrying what they
 * are; the fence reports them all, with their places, before lowering.
 */

/** 1-based line and column in the model file. */
export interface Pos {
  readonly line: number;
  readonly column: number;
}

/** What an unsupported construct is, for the fence's message table. */
export type UnsupportedKind =
  | 'class' | 'async' | 'await' | 'generator' | 'yield' | 'try' | 'throw'
  | 'while' | 'do' | 'switch' | 'label' | 'break' | 'continue' | 'for-of' | 'for-in' | 'for-shape'
  | 'new' | 'this' | 'var' | 'spread' | 'delete' | 'bitwise' | 'remainder' | 'string' | 'template'
  | 'optional-chain' | 'increment' | 'object' | 'destructuring' | 'regex' | 'typeof' | 'instanceof'
  | 'in' | 'nullish' | 'element-access' | 'property-assignment' | 'index-assignment' | 'comma'
  | 'nested-function' | 'null' | 'enum' | 'namespace' | 'export-default' | 'statement' | 'expression'
  | 'assignment-expression' | 'module-statement' | 'void';

export type Expr =
  | { readonly kind: 'number'; readonly at: Pos; readonly value: number }
  | { readonly kind: 'boolean'; readonly at: Pos; readonly value: boolean }
  /** A string literal: a named dimension in a shape, or a reduction name. */
  | { readonly kind: 'string'; readonly at: Pos; readonly value: string }
  | { readonly kind: 'name'; readonly at: Pos; readonly name: string }
  | { readonly kind: 'member'; readonly at: Pos; readonly object: Expr; readonly property: string }
  /** `x.shape[i]` with `i` an expression: the only element access supported. */
  | { readonly kind: 'index'; readonly at: Pos; readonly object: Expr; readonly index: Expr }
  | { readonly kind: 'call'; readonly at: Pos; readonly callee: Expr; readonly args: readonly Expr[] }
  | { readonly kind: 'unary'; readonly at: Pos; readonly op: '-' | '+' | '!'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly at: Pos; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'conditional'; readonly at: Pos; readonly test: Expr; readonly then: Expr; readonly otherwise: Expr }
  | { readonly kind: 'array'; readonly at: Pos; readonly elements: readonly Expr[] }
  /** `{ x, y: e }` as the variables of `expr({ … })`. */
  | { readonly kind: 'record'; readonly at: Pos; readonly entries: readonly { readonly name: string; readonly value: Expr }[] }
  /** A tagged template: `expr`…`` or `expr({ … })`…``. */
  | {
    readonly kind: 'tagged'; readonly at: Pos; readonly tag: Expr; readonly quasis: readonly string[]; readonly values: readonly Expr[];
    /** Where each quasi's text starts in the file, to place errors inside the template. */
    readonly quasiAt: readonly Pos[];
  }
  /** An arrow function or function expression inside a function body (rejected; kept for its free names). */
  | { readonly kind: 'function'; readonly at: Pos; readonly assigned: readonly string[]; readonly names: readonly string[] }
  | { readonly kind: 'unsupported'; readonly at: Pos; readonly what: UnsupportedKind; readonly detail: string };

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '**'
  | '<' | '<=' | '>' | '>=' | '===' | '!==' | '==' | '!='
  | '&&' | '||';

export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '**=';

export type Stmt =
  | { readonly kind: 'declare'; readonly at: Pos; readonly mutable: boolean; readonly name: string; readonly type: TypeRef | null; readonly init: Expr | null }
  | { readonly kind: 'assign'; readonly at: Pos; readonly name: string; readonly op: AssignOp; readonly value: Expr }
  | { readonly kind: 'return'; readonly at: Pos; readonly value: Expr | null }
  | { readonly kind: 'if'; readonly at: Pos; readonly test: Expr; readonly then: readonly Stmt[]; readonly otherwise: readonly Stmt[] | null }
  | { readonly kind: 'for'; readonly at: Pos; readonly loop: ForLoop }
  | { readonly kind: 'block'; readonly at: Pos; readonly body: readonly Stmt[] }
  /** A bare expression statement (a call whose value is dropped). */
  | { readonly kind: 'expression'; readonly at: Pos; readonly expr: Expr }
  | { readonly kind: 'unsupported'; readonly at: Pos; readonly what: UnsupportedKind; readonly detail: string }
  /** A function declared inside a function body (rejected). */
  | { readonly kind: 'function'; readonly at: Pos; readonly name: string; readonly assigned: readonly string[]; readonly names: readonly string[] };

/** A `@name text` tag of the doc comment written directly before a loop (`/** @checkpoint sqrt *\/`). */
export interface LoopDirective {
  /** Where the `@` is. */
  readonly at: Pos;
  readonly name: string;
  /** The rest of the tag, trimmed. */
  readonly text: string;
}

/**
 * `for (let i = start; i < bound; i += step)`: the only loop form, optionally
 * with a data condition (`i < 100 && err > tol`), which makes it a bounded
 * while loop.
 */
export interface ForLoop {
  readonly variable: string;
  readonly start: Expr;
  readonly compare: '<' | '<=' | '>' | '>=';
  readonly bound: Expr;
  readonly step: Expr;
  /** The data-dependent part of the condition after `&&`, or null. */
  readonly condition: Expr | null;
  /** The loop's directives (checkpointing, truncation), unchecked. */
  readonly directives: readonly LoopDirective[];
  readonly body: readonly Stmt[];
}

export type TypeRef =
  | { readonly kind: 'number'; readonly at: Pos }
  | { readonly kind: 'boolean'; readonly at: Pos }
  | { readonly kind: 'tensor'; readonly at: Pos; readonly dims: readonly (number | string)[] | null }
  | { readonly kind: 'param'; readonly at: Pos; readonly inner: TypeRef }
  /** A type alias declared in the file, resolved by the front end. */
  | { readonly kind: 'alias'; readonly at: Pos; readonly name: string }
  | { readonly kind: 'any'; readonly at: Pos }
  /** `T[]`, `readonly T[]`, `Array<T>`: a local list that values are pushed into. */
  | { readonly kind: 'list'; readonly at: Pos; readonly element: TypeRef; readonly text: string }
  | { readonly kind: 'other'; readonly at: Pos; readonly text: string };

export interface ParamDecl {
  readonly at: Pos;
  readonly name: string;
  readonly type: TypeRef | null;
  readonly hasDefault: boolean;
  readonly isRest: boolean;
  /** Destructured or otherwise not a plain name. */
  readonly isPattern: boolean;
}

export interface FunctionDecl {
  readonly at: Pos;
  readonly name: string;
  readonly exported: boolean;
  readonly params: readonly ParamDecl[];
  readonly returnType: TypeRef | null;
  readonly body: readonly Stmt[];
  /** The JSDoc summary. */
  readonly doc: string | undefined;
  /** Names listed by JSDoc `@wrt` tags, or null when there is none. */
  readonly wrtTag: readonly string[] | null;
  readonly isAsync: boolean;
  readonly isGenerator: boolean;
  /** `const f = customDerivative(primal, { jvp, vjp })`: this declaration is the primal, with its rules. */
  readonly custom?: CustomRuleDecl;
  /** A jvp/vjp rule body: its parameters take their types from the primal, so they need no annotation. */
  readonly isRule?: boolean;
}

/** The rules of a `customDerivative(primal, { jvp, vjp })` declaration. */
export interface CustomRuleDecl {
  /** The customDerivative call. */
  readonly at: Pos;
  /** What is called: `customDerivative` or `p.customDerivative`, checked against the prelude by the fence. */
  readonly callee: Expr;
  readonly jvp: FunctionDecl | null;
  readonly vjp: FunctionDecl | null;
  /** What the adapter found malformed (the primal or a rule not a function literal, unknown keys, …), for the fence. */
  readonly problems: readonly { readonly at: Pos; readonly message: string; readonly hint: string }[];
}

export interface ImportDecl {
  readonly at: Pos;
  readonly from: string;
  /** Local name → imported name. */
  readonly names: ReadonlyMap<string, string>;
  /** Local name → where its specifier is written, so a bad name is pointed at, not the whole import. */
  readonly nameAt: ReadonlyMap<string, Pos>;
  /** `import * as p from …`. */
  readonly namespace: string | null;
  readonly typeOnly: boolean;
}

/** A module-level `const` (a compile-time constant) or a rejected `let`/`var`. */
export interface ConstantDecl {
  readonly at: Pos;
  readonly name: string;
  readonly mutable: boolean;
  readonly init: Expr | null;
  readonly exported: boolean;
}

export interface TypeAliasDecl {
  readonly at: Pos;
  readonly name: string;
  readonly type: TypeRef;
}

export interface ModuleAst {
  readonly path: string;
  /** The file's lines, for diagnostics and origins. */
  readonly lines: readonly string[];
  readonly imports: readonly ImportDecl[];
  readonly functions: readonly FunctionDecl[];
  readonly constants: readonly ConstantDecl[];
  readonly aliases: readonly TypeAliasDecl[];
  /** Top-level constructs outside the subset (classes, enums, statements, …). */
  readonly unsupported: readonly (Stmt & { readonly kind: 'unsupported' })[];
  /** Every `any`/`unknown` type written in the file. */
  readonly anyTypes: readonly Pos[];
  /**
   * Why the file could not be read (TypeScript syntax errors, nesting too
   * deep to walk); when non-empty, nothing else was converted.
   */
  readonly unreadable: readonly ReadProblem[];
}

/** A reason a model file cannot be converted at all, located. */
export interface ReadProblem {
  readonly at: Pos;
  readonly message: string;
  readonly hint: string;
}

/** `ys.push(y)`: the list's name and the pushed value, or null for any other expression. */
export function pushOf(e: Expr): { readonly name: string; readonly value: Expr } | null {
  if (e.kind !== 'call' || e.callee.kind !== 'member' || e.callee.property !== 'push' || e.callee.object.kind !== 'name' || e.args.length !== 1) return null;
  return { name: e.callee.object.name, value: e.args[0]! };
}

