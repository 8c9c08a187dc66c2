/**
 * The fence: one walk over a model file's AST, before any lowering, that
 * rejects every construct outside the supported subset. Each diagnostic
 * names the place, says what is wrong and what to write instead; all of
 * them are collected, so the user fixes a file in one round.
 */
import type { SourceError } from '../../errors.ts';
import { isPreludeOp, PRELUDE_OPS } from '../preludeOps.ts';
import { didYouMean, suggest } from '../../errors.ts';
import type { Expr, FunctionDecl, ParamDecl, Pos, Stmt, TypeRef, UnsupportedKind } from './ast.ts';
import { pushOf } from './ast.ts';
import { recursiveCalls } from './callGraph.ts';
import { diagnostic } from './diagnostics.ts';
import { MUTATORS, PURE, RULES } from './fenceRules.ts';
import { readLoopDirectives } from './loopDirectives.ts';
import type { ErrorCategory } from './diagnostics.ts';
import { MATH_CONSTANT_NAMES, MATH_FUNCTION_NAMES } from './mathNames.ts';
import { namespaceBinding } from './scope.ts';
import type { Binding, ModuleScope } from './scope.ts';

class Fence {
  readonly errors: SourceError[] = [];
  /** `let` names of the function being checked, for the closure check. */
  private mutableLocals = new Set<string>();
  private loopDepth = 0;

  constructor(private readonly scope: ModuleScope) {}

  report(at: Pos, message: string, hint: string, category: ErrorCategory = 'unsupported'): void {
    this.errors.push(diagnostic(this.scope.module, at, message, hint, category));
  }

  reportKind(at: Pos, what: UnsupportedKind, detail?: string): void {
    const rule = RULES[what];
    this.report(at, detail === undefined ? rule.message : `${rule.message}: ${detail}`, rule.hint);
  }

  // ── functions ────────────────────────────────────────────────────────────

  checkFunction(fn: FunctionDecl): void {
    if (fn.isAsync) this.reportKind(fn.at, 'async');
    if (fn.isGenerator) this.reportKind(fn.at, 'generator');
    fn.params.forEach((p) => this.checkParam(p, fn));
    // The generated module declares each parameter once: a repeated name would not load.
    fn.params.forEach((p, i) => {
      if (fn.params.findIndex((q) => q.name === p.name) < i) {
        this.report(p.at, `the parameter name '${p.name}' is used twice in ${fn.name}`, 'Give every parameter its own name.', 'semantic');
      }
    });
    if (fn.wrtTag !== null) {
      for (const name of fn.wrtTag) {
        if (!fn.params.some((p) => p.name === name)) {
          this.report(fn.at, `@wrt names '${name}', which is not a parameter of ${fn.name}${didYouMean(name, fn.params.map((p) => p.name))}`, `Parameters: ${fn.params.map((p) => p.name).join(', ')}.`, 'unknownVariable');
        }
      }
    }
    this.mutableLocals = new Set(collectLets(fn.body));
    this.loopDepth = 0;
    this.checkBlock(fn.body);
    this.checkLocalNames(fn, fn.body);
  }

  /**
   * Each local is declared once per block and never takes a parameter's name:
   * TypeScript refuses both at the top of a body, and where it allows a
   * parameter to be shadowed in an inner block, the name would mean two
   * values in one model function.
   */
  private checkLocalNames(fn: FunctionDecl, block: readonly Stmt[]): void {
    const declared = new Set<string>();
    const isParam = (name: string) => fn.params.some((p) => p.name === name);
    const shadows = (at: Pos, name: string) =>
      this.report(at, `the local '${name}' has the name of a parameter of ${fn.name}`,
        `Rename the local (say '${name}2'): in a model function a parameter's name always means the parameter.`, 'semantic');
    for (const s of block) {
      if (s.kind === 'declare') {
        if (isParam(s.name)) shadows(s.at, s.name);
        else if (declared.has(s.name)) {
          this.report(s.at, `'${s.name}' is declared twice in the same block of ${fn.name}`,
            `Give the new value its own name (const ${s.name}2 = …), or declare '${s.name}' once with let and assign it.`, 'semantic');
        }
        declared.add(s.name);
      } else if (s.kind === 'for') {
        if (isParam(s.loop.variable)) shadows(s.at, s.loop.variable);
        this.checkLocalNames(fn, s.loop.body);
      } else if (s.kind === 'if') {
        this.checkLocalNames(fn, s.then);
        if (s.otherwise !== null) this.checkLocalNames(fn, s.otherwise);
      } else if (s.kind === 'block') this.checkLocalNames(fn, s.body);
    }
  }

  private checkParam(p: ParamDecl, fn: FunctionDecl): void {
    if (p.isRest) return this.reportKind(p.at, 'spread', `rest parameter '${p.name}'`);
    if (p.isPattern) return this.reportKind(p.at, 'destructuring');
    if (p.hasDefault) {
      return this.report(p.at, `default values for parameters are not supported ('${p.name}' of ${fn.name})`,
        'Pass every argument explicitly, or keep the value as a const inside the function.');
    }
    // A rule's parameters are typed by the primal it belongs to.
    if (p.type === null && fn.isRule === true) return;
    if (p.type === null) {
      return this.report(p.at, `the parameter '${p.name}' has no type annotation`,
        `Annotate it: '${p.name}: number' for a scalar, '${p.name}: Tensor<[3, 4]>' or '${p.name}: Tensor<['batch', 784]>' for a tensor, wrapped in Param<…> to differentiate with respect to it.`);
    }
    this.checkParamType(p.name, p.type);
  }

  private checkParamType(name: string, type: TypeRef): void {
    const t = resolveAlias(this.scope, type);
    if (t === null) return this.unknownType(name, type);
    if (t.kind === 'param') {
      const inner = resolveAlias(this.scope, t.inner);
      if (inner !== null && inner.kind === 'param') return this.report(type.at, 'Param<Param<…>> is redundant', 'Write Param<…> once.');
      return this.checkParamType(name, t.inner);
    }
    // `any` is reported with every other `any`; booleans and unshaped tensors make a helper, not an entry.
    if (t.kind === 'any' || t.kind === 'number' || t.kind === 'boolean' || t.kind === 'tensor') return;
    const text = t.kind === 'other' || t.kind === 'list' ? t.text : t.kind;
    this.report(type.at, `the parameter '${name}' has the unsupported type '${text}'${this.typeSuggestion(/^[A-Za-z_$][\w$]*/.exec(text)?.[0] ?? '')}`, "Model parameters are numbers or tensors: 'number', 'Tensor<[n, m]>', optionally wrapped in Param<…> (helpers may also take 'boolean' and 'Tensor').");
  }

  private unknownType(param: string, type: TypeRef): void {
    const typeName = type.kind === 'alias' ? type.name : '';
    const suggestion = this.scope.aliases.has(typeName) ? '' : this.typeSuggestion(typeName);
    this.report(type.at, `unknown type '${typeName}' for the parameter '${param}'${suggestion}`, 'Use number, Tensor<[…]> or a type alias of one declared in this file.', 'unknownVariable');
  }

  /** `; did you mean 'Tensor'?` for a misspelt type name (`Tensr`), from the model types and this file's aliases. */
  private typeSuggestion(typeName: string): string {
    return didYouMean(typeName, ['number', 'boolean', 'Tensor', 'Param', ...this.scope.aliases.keys()]);
  }

  /** `customDerivative(primal, { jvp, vjp })`: the prelude's, well formed, rules of the right arity, bodies in the subset. */
  checkCustom(fn: FunctionDecl): void {
    const custom = fn.custom;
    if (custom === undefined) return;
    const c = custom.callee;
    const binding = c.kind === 'name' ? this.scope.bindings.get(c.name)
      : c.kind === 'member' && c.object.kind === 'name' ? namespaceBinding(this.scope, c.object.name, c.property) ?? undefined : undefined;
    if (binding?.kind !== 'runtime' || binding.name !== 'customDerivative') {
      this.report(custom.at, `'customDerivative' is not imported from gradc/prelude`, "Add it to the prelude import: import { customDerivative } from 'gradc/prelude';", 'unknownFunction');
    }
    for (const p of custom.problems) this.report(p.at, p.message, p.hint);
    if (custom.problems.length > 0) return;
    const n = fn.params.length;
    const names = fn.params.map((p) => p.name);
    const arity = (rule: FunctionDecl, counts: readonly number[], expected: string, example: string): void => {
      if (!counts.includes(rule.params.length)) {
        this.report(rule.at, `the ${rule.name.slice(fn.name.length + 1)} rule of '${fn.name}' takes ${rule.params.length} parameter(s); it must take ${expected}`, `For ${fn.name}(${names.join(', ')}) write ${example}.`, 'semantic');
      }
      this.checkFunction(rule);
    };
    if (custom.jvp !== null) {
      arity(custom.jvp, [2 * n, 2 * n + 1], `${2 * n} (the arguments, then one tangent per argument) or ${2 * n + 1} (then the output)`,
        `jvp: (${[...names, ...names.map((m) => `${m}Dot`)].join(', ')}) => …`);
    }
    if (custom.vjp !== null) {
      arity(custom.vjp, [n + 2], `${n + 2} (the arguments, the output and its cotangent)`,
        `vjp: (${[...names, 'y', 'yBar'].join(', ')}) => ${n === 1 ? '…' : `[${names.map((m) => `${m}Bar`).join(', ')}]`}`);
    }
  }

  // ── statements ───────────────────────────────────────────────────────────

  private checkBlock(stmts: readonly Stmt[]): void {
    stmts.forEach((s) => this.checkStmt(s));
  }

  private checkStmt(s: Stmt): void {
    switch (s.kind) {
      case 'unsupported': return this.reportKind(s.at, s.what);
      case 'declare':
        if (s.type !== null && s.type.kind === 'other') this.report(s.type.at, `the type '${s.type.text}' is not a model type`, 'Use number, boolean or Tensor<[…]>, or leave the type to inference.');
        if (s.type !== null && s.type.kind === 'list' && s.type.element.kind === 'other') {
          this.report(s.type.element.at, `the type '${s.type.element.text}' is not a model type`, 'A list holds numbers or tensors: const ys: Tensor<[…]>[] = [];');
        }
        // `let y: number;` assigned later is fine; the lowering checks every read has a value.
        if (s.init === null) {
          if (!s.mutable) this.report(s.at, `'${s.name}' is declared without a value`, `Give it a value: const ${s.name} = …;`);
          return;
        }
        return this.checkExpr(s.init);
      case 'assign': return this.checkExpr(s.value);
      case 'return':
        if (this.loopDepth > 0) this.report(s.at, 'return inside a for loop is not supported', 'Loops are unrolled (or become a loop node): keep the result in a let variable and return it after the loop.');
        if (s.value === null) return this.report(s.at, 'a model function must return a value', 'Return a number (a loss) or a tensor.');
        return this.checkExpr(s.value);
      case 'if':
        this.checkExpr(s.test);
        this.checkBlock(s.then);
        if (s.otherwise !== null) this.checkBlock(s.otherwise);
        return;
      case 'for':
        this.checkExpr(s.loop.start);
        this.checkExpr(s.loop.bound);
        this.checkExpr(s.loop.step);
        if (s.loop.condition !== null) this.checkExpr(s.loop.condition);
        for (const p of readLoopDirectives(s.loop.directives).problems) this.report(p.at, p.message, p.hint);
        this.loopDepth++;
        this.checkBlock(s.loop.body);
        this.loopDepth--;
        return;
      case 'block': return this.checkBlock(s.body);
      case 'expression': return this.checkStatementExpr(s.expr, s.at);
      case 'function': return this.checkNested(s.at, s.names, s.assigned);
    }
  }

  /** An expression statement: its value is dropped, so it is either a mutation or has no effect. */
  private checkStatementExpr(e: Expr, at: Pos): void {
    // `ys.push(y)` into a list: the one mutation, which the lowering turns into a new list value (or a loop's stacked output).
    const push = pushOf(e);
    if (push !== null) return this.checkExpr(push.value);
    if (e.kind === 'call' && e.callee.kind === 'member' && MUTATORS.has(e.callee.property) && !this.isMathOrNamespace(e.callee.object)) {
      return this.report(e.callee.at, `'.${e.callee.property}(…)' mutates an array or object, which is not supported`,
        'Build a new value instead: ys.push(y) into a list (then stack(ys)), concat([a, b], 0) for tensors, a new const for numbers.');
    }
    this.checkExpr(e);
    if (e.kind === 'unsupported') return;
    this.report(at, 'the value of this expression is unused', `${PURE} Assign the value to a const, or remove the statement.`);
  }

  private isMathOrNamespace(e: Expr): boolean {
    return e.kind === 'name' && (e.name === 'Math' || this.scope.preludeNamespaces.has(e.name));
  }

  private checkNested(at: Pos, names: readonly string[], assigned: readonly string[]): void {
    const captured = names.find((n) => this.mutableLocals.has(n) || assigned.includes(n));
    if (captured !== undefined && this.mutableLocals.has(captured)) {
      return this.report(at, `this function closes over the mutable variable '${captured}'`,
        'Closures over mutable state are not supported: move the function to the top level and pass the value as an argument.');
    }
    this.reportKind(at, 'nested-function');
  }

  // ── expressions ──────────────────────────────────────────────────────────

  checkExpr(e: Expr, inStaticArgument = false): void {
    switch (e.kind) {
      case 'number': case 'boolean': return;
      case 'string':
        if (!inStaticArgument) this.reportKind(e.at, 'string', JSON.stringify(e.value));
        return;
      case 'name': return this.checkName(e.name, e.at);
      case 'member': return this.checkMember(e);
      case 'index':
        if (!(e.object.kind === 'member' && e.object.property === 'shape')) return this.reportKind(e.at, 'element-access');
        this.checkExpr(e.object);
        return this.checkExpr(e.index);
      case 'call': return this.checkCall(e);
      case 'unary': return this.checkExpr(e.operand);
      case 'binary':
        this.checkExpr(e.left);
        return this.checkExpr(e.right);
      case 'conditional':
        this.checkExpr(e.test);
        this.checkExpr(e.then);
        return this.checkExpr(e.otherwise);
      case 'array': return e.elements.forEach((x) => this.checkExpr(x, inStaticArgument));
      case 'record': return this.reportKind(e.at, 'object');
      case 'tagged': return this.checkTagged(e);
      case 'function': return this.checkNested(e.at, e.names, e.assigned);
      case 'unsupported': return this.reportKind(e.at, e.what);
    }
  }

  private checkName(name: string, at: Pos): void {
    if (name === 'Date') return this.report(at, '`Date` is not supported in a model function', 'Time is not differentiable: pass any time-dependent value in as a parameter.');
    if (name === 'undefined') return this.report(at, '`undefined` is not supported', 'Model values are numbers, booleans and tensors.');
    if (name === 'arguments') return this.report(at, '`arguments` is not supported', 'Name the parameters.');
  }

  private checkMember(e: Expr & { kind: 'member' }): void {
    const { object, property } = e;
    if (object.kind === 'name' && object.name === 'Math') {
      if (property === 'random') return this.report(e.at, '`Math.random` is not supported', 'Random numbers make the function non-deterministic: draw them in the calling script (seeded) and pass them in as a parameter.');
      if (!MATH_CONSTANT_NAMES.has(property) && !MATH_FUNCTION_NAMES.has(property)) {
        const suggestion = didYouMean(property, [...MATH_FUNCTION_NAMES, ...MATH_CONSTANT_NAMES], (n) => `'Math.${n}'`);
        return this.report(e.at, `'Math.${property}' is not supported${suggestion}`, `Supported: ${[...MATH_FUNCTION_NAMES, ...MATH_CONSTANT_NAMES].map((n) => `Math.${n}`).join(', ')}.`, 'unknownFunction');
      }
      return;
    }
    if (object.kind === 'name' && this.scope.preludeNamespaces.has(object.name)) return;
    // A list's length (the lowering refuses it on a tensor, whose sizes are in x.shape).
    if (property === 'shape' || property === 'length') return this.checkExpr(object);
    this.checkExpr(object);
    this.report(e.at, `the property '.${property}' is not supported`, 'Model values are numbers and tensors; a tensor has only x.shape (use x.shape[i] for a size), a list its .length.');
  }

  private checkCall(e: Expr & { kind: 'call' }): void {
    const binding = this.callee(e.callee);
    if (binding === 'math') return e.args.forEach((a) => this.checkExpr(a));
    if (binding === null) return this.unknownCall(e);
    if (binding.kind === 'op') {
      const kinds = PRELUDE_OPS[binding.op].args;
      e.args.forEach((a, i) => {
        const kind = kinds[i];
        this.checkExpr(a, kind !== undefined && kind !== 'tensor' && kind !== 'cond' && kind !== 'tensors');
      });
      return;
    }
    if (binding.kind === 'expr') {
      return this.report(e.at, 'expr must be used as a template tag', 'Write expr`x^2 + ${y}` or expr({ x, y })`x^2 + y`.');
    }
    if (binding.kind === 'runtime' && binding.name === 'customDerivative') {
      return this.report(e.at, 'customDerivative defines a function: it may be called only at the top level of the file',
        'Write const f = customDerivative((x: number): number => …, { jvp, vjp }); at the top level and call f here.');
    }
    if (binding.kind === 'runtime') {
      return this.report(e.at, `'${binding.name}' makes a tensor from data, which a model function cannot do`,
        'Pass the tensor in as a parameter, or use zeros/ones/full for a constant tensor.');
    }
    if (binding.kind === 'constant') return this.report(e.at, `'${binding.decl.name}' is a constant, not a function`, 'Call a function defined in this file, a prelude op or Math.*.', 'unknownFunction');
    e.args.forEach((a) => this.checkExpr(a));
  }

  private unknownCall(e: Expr & { kind: 'call' }): void {
    const c = e.callee;
    if (c.kind === 'member') {
      this.checkExpr(c.object);
      const namespace = c.object.kind === 'name' ? c.object.name : null;
      const what = namespace !== null ? `${namespace}.${c.property}` : `.${c.property}`;
      const suggestion = namespace !== null && this.scope.preludeNamespaces.has(namespace)
        ? didYouMean(c.property, Object.keys(PRELUDE_OPS), (n) => `'${namespace}.${n}'`) : '';
      return this.report(c.at, `'${what}(…)' is not a function a model can call${suggestion}`,
        'Call prelude ops (imported from gradc/prelude), Math.* functions, or functions defined in this file or imported from other model files.', 'unknownFunction');
    }
    if (c.kind === 'name') return this.unknownName(c.name, c.at);
    this.checkExpr(c);
    this.report(c.at, 'only named functions can be called', 'Call a prelude op, a Math.* function or a model function by name.', 'unknownFunction');
  }

  /** A call of a name nothing binds: a prelude op not imported, or the closest function in scope or in the prelude. */
  private unknownName(name: string, at: Pos): void {
    if (isPreludeOp(name)) {
      return this.report(at, `unknown function '${name}': it is a prelude op this file does not import`,
        `Add it to the prelude import: import { ${name} } from 'gradc/prelude';`, 'unknownFunction');
    }
    const callable = [...this.scope.bindings].filter(([, b]) => b.kind === 'op' || b.kind === 'function').map(([local]) => local);
    const suggestion = suggest(name, [...callable, ...Object.keys(PRELUDE_OPS)])[0];
    const hint = suggestion !== undefined && !this.scope.bindings.has(suggestion)
      ? `'${suggestion}' is a prelude op this file does not import: import { ${suggestion} } from 'gradc/prelude';`
      : `Import it from 'gradc/prelude' if it is a tensor op, or define it in this file or another model file.`;
    this.report(at, `unknown function '${name}'${suggestion === undefined ? '' : `; did you mean '${suggestion}'?`}`, hint, 'unknownFunction');
  }

  /** What a callee refers to: a binding, 'math' for Math.*, or null when unknown. */
  private callee(c: Expr): Binding | 'math' | null {
    if (c.kind === 'name') return this.scope.bindings.get(c.name) ?? null;
    if (c.kind !== 'member' || c.object.kind !== 'name') return null;
    if (c.object.name === 'Math') {
      this.checkMember(c);
      return 'math';
    }
    return namespaceBinding(this.scope, c.object.name, c.property);
  }

  private checkTagged(e: Expr & { kind: 'tagged' }): void {
    const tag = e.tag;
    const isExpr = (x: Expr) => x.kind === 'name' && this.scope.bindings.get(x.name)?.kind === 'expr';
    if (isExpr(tag)) return e.values.forEach((v) => this.checkExpr(v));
    if (tag.kind === 'call' && isExpr(tag.callee)) {
      const [vars, ...rest] = tag.args;
      if (vars === undefined || vars.kind !== 'record' || rest.length > 0) {
        return this.report(tag.at, 'expr(…) takes one object naming the variables', 'Write expr({ x, y })`x^2 + y`.');
      }
      vars.entries.forEach((entry) => this.checkExpr(entry.value));
      return e.values.forEach((v) => this.checkExpr(v));
    }
    this.reportKind(e.at, 'template');
  }
}

/** The names declared with `let` anywhere in a function body. */
function collectLets(stmts: readonly Stmt[]): string[] {
  return stmts.flatMap((s): string[] => {
    if (s.kind === 'declare' && s.mutable) return [s.name];
    if (s.kind === 'if') return [...collectLets(s.then), ...collectLets(s.otherwise ?? [])];
    if (s.kind === 'for') return [s.loop.variable, ...collectLets(s.loop.body)];
    if (s.kind === 'block') return collectLets(s.body);
    return [];
  });
}

/** A type with aliases of this file resolved; null for an unknown alias. */
export function resolveAlias(scope: ModuleScope, type: TypeRef, depth = 0): TypeRef | null {
  if (type.kind !== 'alias') return type;
  const alias = scope.aliases.get(type.name);
  if (alias === undefined || depth > 20) return null;
  return resolveAlias(scope, alias.type, depth + 1);
}

/**
 * Whether an exported function is compiled (an entry): every parameter is a
 * number or a tensor of literal shape. Exported functions taking booleans
 * or tensors of any shape are helpers for other model files to import.
 */
export function isEntry(scope: ModuleScope, fn: FunctionDecl): boolean {
  const entryType = (type: TypeRef | null): boolean => {
    const t = type === null ? null : resolveAlias(scope, type);
    if (t === null) return false;
    if (t.kind === 'param') return entryType(t.inner);
    return t.kind === 'number' || (t.kind === 'tensor' && t.dims !== null);
  };
  return fn.exported && fn.params.every((p) => entryType(p.type));
}

/** Every diagnostic the fence finds in a module (empty when it may be lowered). */
export function fenceModule(scope: ModuleScope): SourceError[] {
  const fence = new Fence(scope);
  const { module } = scope;
  // An unreadable file has nothing else to check: its AST is empty.
  for (const p of module.unreadable) fence.report(p.at, p.message, p.hint, 'syntax');
  for (const u of module.unsupported) fence.reportKind(u.at, u.what);
  for (const at of module.anyTypes) {
    fence.report(at, '`any`/`unknown` types are not supported in a model file', 'Give the value a model type: number, boolean or Tensor<[…]>; the front end needs every value\'s shape.');
  }
  for (const c of module.constants) {
    if (c.mutable) {
      fence.report(c.at, `the module-level variable '${c.name}' is mutable`, `Module state is not supported: declare it with const (const ${c.name} = …) or pass it in as a parameter.`);
    } else if (c.init !== null) fence.checkExpr(c.init);
  }
  for (const fn of module.functions) {
    fence.checkFunction(fn);
    fence.checkCustom(fn);
  }
  for (const r of recursiveCalls(module.functions)) {
    fence.report(r.at, r.message, 'Helpers are inlined at compile time, so recursion would not end; write the repetition as a for loop with a constant bound.');
  }
  return fence.errors.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
}
