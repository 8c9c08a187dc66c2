/**
 * The TypeScript adapter: the only file that imports ts-morph. It parses a
 * model file (no type checking, no dependency resolution: one in-memory
 * project reused across calls) and converts it at once into the model-file
 * AST. Constructs outside the subset become `unsupported` nodes; judging
 * them is the fence's job, not this file's.
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';
import { didYouMean } from '../../errors.ts';
import type {
  ArrowFunction, Block, CallExpression, Expression, ForStatement, FunctionDeclaration, FunctionExpression, JSDocableNode, NumericLiteral,
  ParameterDeclaration, SourceFile, Statement, TypeNode, VariableStatement,
} from 'ts-morph';
import type {
  AssignOp, BinaryOp, ConstantDecl, Expr, FunctionDecl, ImportDecl, LoopDirective, ModuleAst, ParamDecl, Pos, ReadProblem, Stmt,
  TypeAliasDecl, TypeRef, UnsupportedKind,
} from './ast.ts';

// ts-morph is CommonJS: required rather than imported, so Node does not scan it and the
// TypeScript it bundles (9 MB) for named exports, about 0.1 s of every compile here.
const { Node: TsNode, Project, SyntaxKind, ts } = createRequire(import.meta.url)('ts-morph') as typeof TsMorph;
type TsNode = TsMorph.Node;
type Project = TsMorph.Project;
type SyntaxKind = TsMorph.SyntaxKind;

let project: Project | undefined;

/** One parser for the process: creating a project is the slow part, parsing a file is quick. */
function sharedProject(): Project {
  project ??= new Project({
    useInMemoryFileSystem: true,
    skipLoadingLibFiles: true,
    skipFileDependencyResolution: true,
    compilerOptions: { allowJs: false, noLib: true },
  });
  return project;
}

const BINARY: Partial<Record<SyntaxKind, BinaryOp>> = {
  [SyntaxKind.PlusToken]: '+', [SyntaxKind.MinusToken]: '-', [SyntaxKind.AsteriskToken]: '*',
  [SyntaxKind.SlashToken]: '/', [SyntaxKind.AsteriskAsteriskToken]: '**',
  [SyntaxKind.LessThanToken]: '<', [SyntaxKind.LessThanEqualsToken]: '<=',
  [SyntaxKind.GreaterThanToken]: '>', [SyntaxKind.GreaterThanEqualsToken]: '>=',
  [SyntaxKind.EqualsEqualsEqualsToken]: '===', [SyntaxKind.ExclamationEqualsEqualsToken]: '!==',
  [SyntaxKind.EqualsEqualsToken]: '==', [SyntaxKind.ExclamationEqualsToken]: '!=',
  [SyntaxKind.AmpersandAmpersandToken]: '&&', [SyntaxKind.BarBarToken]: '||',
};
const ASSIGN: Partial<Record<SyntaxKind, AssignOp>> = {
  [SyntaxKind.EqualsToken]: '=', [SyntaxKind.PlusEqualsToken]: '+=', [SyntaxKind.MinusEqualsToken]: '-=',
  [SyntaxKind.AsteriskEqualsToken]: '*=', [SyntaxKind.SlashEqualsToken]: '/=',
  [SyntaxKind.AsteriskAsteriskEqualsToken]: '**=',
};
const BITWISE = new Set<SyntaxKind>([
  SyntaxKind.AmpersandToken, SyntaxKind.BarToken, SyntaxKind.CaretToken, SyntaxKind.LessThanLessThanToken,
  SyntaxKind.GreaterThanGreaterThanToken, SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
  SyntaxKind.AmpersandEqualsToken, SyntaxKind.BarEqualsToken, SyntaxKind.CaretEqualsToken,
  SyntaxKind.LessThanLessThanEqualsToken, SyntaxKind.GreaterThanGreaterThanEqualsToken,
  SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken,
]);

/** Statement and expression kinds rejected as a whole, by what they are. */
const REJECTED: Partial<Record<SyntaxKind, UnsupportedKind>> = {
  [SyntaxKind.WhileStatement]: 'while', [SyntaxKind.DoStatement]: 'do', [SyntaxKind.SwitchStatement]: 'switch',
  [SyntaxKind.LabeledStatement]: 'label', [SyntaxKind.BreakStatement]: 'break', [SyntaxKind.ContinueStatement]: 'continue',
  [SyntaxKind.ForOfStatement]: 'for-of', [SyntaxKind.ForInStatement]: 'for-in', [SyntaxKind.TryStatement]: 'try',
  [SyntaxKind.ThrowStatement]: 'throw', [SyntaxKind.ClassDeclaration]: 'class', [SyntaxKind.ClassExpression]: 'class',
  [SyntaxKind.EnumDeclaration]: 'enum', [SyntaxKind.ModuleDeclaration]: 'namespace',
  [SyntaxKind.NewExpression]: 'new', [SyntaxKind.ThisKeyword]: 'this', [SyntaxKind.AwaitExpression]: 'await',
  [SyntaxKind.YieldExpression]: 'yield', [SyntaxKind.DeleteExpression]: 'delete', [SyntaxKind.TypeOfExpression]: 'typeof',
  [SyntaxKind.VoidExpression]: 'void', [SyntaxKind.RegularExpressionLiteral]: 'regex', [SyntaxKind.NullKeyword]: 'null',
  [SyntaxKind.TemplateExpression]: 'template', [SyntaxKind.SpreadElement]: 'spread',
  [SyntaxKind.ExportAssignment]: 'export-default',
};

/**
 * A number literal's value. ts-morph's getLiteralValue reads `1e-20` as 1;
 * the compiler's own text is normalised (`0x10` → "16", `1_000` → "1000",
 * `1e-20` stays), and Number reads all of them.
 */
const numericValue = (node: NumericLiteral): number => Number(node.compilerNode.text);

class Reader {
  constructor(private readonly file: SourceFile) {}

  at(node: TsNode): Pos {
    const { line, column } = this.file.getLineAndColumnAtPos(node.getStart());
    return { line, column };
  }

  unsupported(node: TsNode, what: UnsupportedKind): Expr & Stmt & { kind: 'unsupported' } {
    return { kind: 'unsupported', at: this.at(node), what, detail: node.getText().split('\n')[0]!.slice(0, 60) };
  }

  // ── expressions ──────────────────────────────────────────────────────────

  expr(node: Expression): Expr {
    const at = this.at(node);
    const rejected = REJECTED[node.getKind()];
    if (rejected !== undefined) return this.unsupported(node, rejected);
    if (TsNode.isParenthesizedExpression(node) || TsNode.isAsExpression(node) || TsNode.isNonNullExpression(node)
      || TsNode.isSatisfiesExpression(node) || TsNode.isTypeAssertion(node)) {
      return this.expr(node.getExpression());
    }
    if (TsNode.isNumericLiteral(node)) return { kind: 'number', at, value: numericValue(node) };
    if (TsNode.isTrueLiteral(node) || TsNode.isFalseLiteral(node)) return { kind: 'boolean', at, value: node.getLiteralValue() };
    if (TsNode.isStringLiteral(node) || TsNode.isNoSubstitutionTemplateLiteral(node)) {
      return { kind: 'string', at, value: node.getLiteralValue() };
    }
    if (TsNode.isIdentifier(node)) return { kind: 'name', at, name: node.getText() };
    if (TsNode.isPropertyAccessExpression(node)) {
      if (node.hasQuestionDotToken()) return this.unsupported(node, 'optional-chain');
      return { kind: 'member', at, object: this.expr(node.getExpression()), property: node.getName() };
    }
    if (TsNode.isElementAccessExpression(node)) {
      if (node.hasQuestionDotToken()) return this.unsupported(node, 'optional-chain');
      const index = node.getArgumentExpression();
      if (index === undefined) return this.unsupported(node, 'element-access');
      return { kind: 'index', at, object: this.expr(node.getExpression()), index: this.expr(index) };
    }
    if (TsNode.isCallExpression(node)) {
      if (node.hasQuestionDotToken()) return this.unsupported(node, 'optional-chain');
      return { kind: 'call', at, callee: this.expr(node.getExpression()), args: node.getArguments().map((a) => this.expr(a as Expression)) };
    }
    if (TsNode.isPrefixUnaryExpression(node)) return this.prefix(node.getOperatorToken(), node.getOperand(), node);
    if (TsNode.isPostfixUnaryExpression(node)) return this.unsupported(node, 'increment');
    if (TsNode.isBinaryExpression(node)) return this.binary(node);
    if (TsNode.isConditionalExpression(node)) {
      return { kind: 'conditional', at, test: this.expr(node.getCondition()), then: this.expr(node.getWhenTrue()), otherwise: this.expr(node.getWhenFalse()) };
    }
    if (TsNode.isArrayLiteralExpression(node)) return { kind: 'array', at, elements: node.getElements().map((e) => this.expr(e)) };
    if (TsNode.isObjectLiteralExpression(node)) return this.record(node);
    if (TsNode.isTaggedTemplateExpression(node)) return this.tagged(node);
    if (TsNode.isArrowFunction(node) || TsNode.isFunctionExpression(node)) {
      return { kind: 'function', at, ...this.freeNames(node) };
    }
    return this.unsupported(node, 'expression');
  }

  private prefix(op: SyntaxKind, operand: Expression, node: Expression): Expr {
    const at = this.at(node);
    if (op === SyntaxKind.MinusToken) return { kind: 'unary', at, op: '-', operand: this.expr(operand) };
    if (op === SyntaxKind.PlusToken) return { kind: 'unary', at, op: '+', operand: this.expr(operand) };
    if (op === SyntaxKind.ExclamationToken) return { kind: 'unary', at, op: '!', operand: this.expr(operand) };
    if (op === SyntaxKind.TildeToken) return this.unsupported(node, 'bitwise');
    return this.unsupported(node, 'increment');
  }

  private binary(node: Expression & { getOperatorToken(): TsNode; getLeft(): Expression; getRight(): Expression }): Expr {
    const kind = node.getOperatorToken().getKind();
    const op = BINARY[kind];
    if (op !== undefined) {
      return { kind: 'binary', at: this.at(node), op, left: this.expr(node.getLeft()), right: this.expr(node.getRight()) };
    }
    const token = node.getOperatorToken();
    if (BITWISE.has(kind)) return this.unsupported(token, 'bitwise');
    if (kind === SyntaxKind.PercentToken || kind === SyntaxKind.PercentEqualsToken) return this.unsupported(token, 'remainder');
    if (kind === SyntaxKind.QuestionQuestionToken || kind === SyntaxKind.QuestionQuestionEqualsToken) return this.unsupported(token, 'nullish');
    if (kind === SyntaxKind.InKeyword) return this.unsupported(token, 'in');
    if (kind === SyntaxKind.InstanceOfKeyword) return this.unsupported(token, 'instanceof');
    if (kind === SyntaxKind.CommaToken) return this.unsupported(token, 'comma');
    return this.unsupported(node, 'assignment-expression');
  }

  private record(node: Expression): Expr {
    const entries: { name: string; value: Expr }[] = [];
    for (const p of node.asKindOrThrow(SyntaxKind.ObjectLiteralExpression).getProperties()) {
      if (TsNode.isShorthandPropertyAssignment(p)) {
        entries.push({ name: p.getName(), value: { kind: 'name', at: this.at(p), name: p.getName() } });
      } else if (TsNode.isPropertyAssignment(p) && TsNode.isIdentifier(p.getNameNode())) {
        entries.push({ name: p.getName(), value: this.expr(p.getInitializerOrThrow()) });
      } else {
        return this.unsupported(node, 'object');
      }
    }
    return { kind: 'record', at: this.at(node), entries };
  }

  private tagged(node: Expression): Expr {
    const t = node.asKindOrThrow(SyntaxKind.TaggedTemplateExpression);
    const template = t.getTemplate();
    const at = this.at(node);
    const tag = this.expr(t.getTag());
    // A quasi's text starts after the backquote or the closing brace before it.
    const after = (n: TsNode): Pos => this.file.getLineAndColumnAtPos(n.getStart() + 1);
    if (TsNode.isNoSubstitutionTemplateLiteral(template)) {
      return { kind: 'tagged', at, tag, quasis: [template.getLiteralValue()], values: [], quasiAt: [after(template)] };
    }
    const head = template.getHead();
    const quasis = [head.getLiteralText()];
    const quasiAt = [after(head)];
    const values: Expr[] = [];
    for (const span of template.getTemplateSpans()) {
      values.push(this.expr(span.getExpression()));
      quasis.push(span.getLiteral().getLiteralText());
      quasiAt.push(after(span.getLiteral()));
    }
    return { kind: 'tagged', at, tag, quasis, values, quasiAt };
  }

  /** Names a nested function refers to and assigns, for the fence's closure check. */
  private freeNames(node: TsNode): { assigned: string[]; names: string[] } {
    const names = new Set<string>();
    const assigned = new Set<string>();
    node.forEachDescendant((d) => {
      if (TsNode.isIdentifier(d)) names.add(d.getText());
      if (TsNode.isBinaryExpression(d) && ASSIGN[d.getOperatorToken().getKind()] !== undefined) {
        const left = d.getLeft();
        if (TsNode.isIdentifier(left)) assigned.add(left.getText());
      }
    });
    return { assigned: [...assigned], names: [...names] };
  }

  // ── statements ───────────────────────────────────────────────────────────

  block(body: Statement | undefined): Stmt[] {
    if (body === undefined) return [];
    if (TsNode.isBlock(body)) return body.getStatements().flatMap((s) => this.stmt(s));
    return this.stmt(body);
  }

  stmt(node: Statement): Stmt[] {
    const at = this.at(node);
    const rejected = REJECTED[node.getKind()];
    if (rejected !== undefined) return [this.unsupported(node, rejected)];
    if (TsNode.isEmptyStatement(node)) return [];
    if (TsNode.isVariableStatement(node)) return this.declarations(node);
    if (TsNode.isReturnStatement(node)) {
      const value = node.getExpression();
      return [{ kind: 'return', at, value: value === undefined ? null : this.expr(value) }];
    }
    if (TsNode.isIfStatement(node)) {
      const otherwise = node.getElseStatement();
      return [{
        kind: 'if', at, test: this.expr(node.getExpression()), then: this.block(node.getThenStatement()),
        otherwise: otherwise === undefined ? null : this.block(otherwise),
      }];
    }
    if (TsNode.isBlock(node)) return [{ kind: 'block', at, body: this.block(node) }];
    if (TsNode.isForStatement(node)) return [this.forLoop(node)];
    if (TsNode.isExpressionStatement(node)) return [this.expressionStatement(node.getExpression(), at)];
    if (TsNode.isFunctionDeclaration(node)) {
      return [{ kind: 'function', at, name: node.getName() ?? '(anonymous)', ...this.freeNames(node) }];
    }
    return [this.unsupported(node, 'statement')];
  }

  private declarations(node: VariableStatement): Stmt[] {
    const kind = node.getDeclarationKind();
    if (kind === 'var') return [this.unsupported(node, 'var')];
    return node.getDeclarations().map((d): Stmt => {
      const nameNode = d.getNameNode();
      if (!TsNode.isIdentifier(nameNode)) return this.unsupported(d, 'destructuring');
      const init = d.getInitializer();
      const typeNode = d.getTypeNode();
      return {
        kind: 'declare', at: this.at(d), mutable: kind === 'let', name: nameNode.getText(),
        type: typeNode === undefined ? null : this.type(typeNode), init: init === undefined ? null : this.expr(init),
      };
    });
  }

  private expressionStatement(e: Expression, at: Pos): Stmt {
    if (TsNode.isBinaryExpression(e)) {
      const op = ASSIGN[e.getOperatorToken().getKind()];
      if (op !== undefined) {
        const left = e.getLeft();
        if (TsNode.isIdentifier(left)) return { kind: 'assign', at, name: left.getText(), op, value: this.expr(e.getRight()) };
        if (TsNode.isElementAccessExpression(left)) return this.unsupported(left, 'index-assignment');
        if (TsNode.isPropertyAccessExpression(left)) return this.unsupported(left, 'property-assignment');
        return this.unsupported(left, 'destructuring');
      }
    }
    const step = this.increment(e);
    if (step !== null) return { kind: 'assign', at, name: step.name, op: '+=', value: { kind: 'number', at, value: step.by } };
    return { kind: 'expression', at, expr: this.expr(e) };
  }

  /** `i++`, `++i`, `i--`, `--i` as a name and a step, or null. */
  private increment(e: Expression): { name: string; by: number } | null {
    if (!TsNode.isPostfixUnaryExpression(e) && !TsNode.isPrefixUnaryExpression(e)) return null;
    const operand = e.getOperand();
    const op = e.getOperatorToken();
    if (!TsNode.isIdentifier(operand)) return null;
    if (op === SyntaxKind.PlusPlusToken) return { name: operand.getText(), by: 1 };
    if (op === SyntaxKind.MinusMinusToken) return { name: operand.getText(), by: -1 };
    return null;
  }

  /** `for (let i = a; i < b; i++ | i += k | i-- | i -= k)`, else unsupported. */
  private forLoop(node: ForStatement): Stmt {
    const at = this.at(node);
    const init = node.getInitializer();
    const cond = node.getCondition();
    const inc = node.getIncrementor();
    const bad = this.unsupported(node, 'for-shape');
    if (init === undefined || cond === undefined || inc === undefined || !TsNode.isVariableDeclarationList(init)) return bad;
    const decls = init.getDeclarations();
    const first = decls[0];
    if (decls.length !== 1 || first === undefined || !TsNode.isIdentifier(first.getNameNode())) return bad;
    const variable = first.getName();
    const start = first.getInitializer();
    // `i < N && a && b`: the counter's test leads, the data conditions follow.
    const extra: Expression[] = [];
    let counter: Expression = cond;
    while (TsNode.isBinaryExpression(counter) && counter.getOperatorToken().getKind() === SyntaxKind.AmpersandAmpersandToken) {
      extra.unshift(counter.getRight());
      counter = counter.getLeft();
    }
    if (start === undefined || !TsNode.isBinaryExpression(counter) || counter.getLeft().getText() !== variable) return bad;
    const compare = BINARY[counter.getOperatorToken().getKind()];
    if (compare !== '<' && compare !== '<=' && compare !== '>' && compare !== '>=') return bad;
    let step: Expr | null = null;
    const unit = this.increment(inc);
    if (unit !== null && unit.name === variable) step = { kind: 'number', at: this.at(inc), value: unit.by };
    if (TsNode.isBinaryExpression(inc) && inc.getLeft().getText() === variable) {
      const op = ASSIGN[inc.getOperatorToken().getKind()];
      const by = this.expr(inc.getRight());
      if (op === '+=') step = by;
      if (op === '-=') step = { kind: 'unary', at: by.at, op: '-', operand: by };
    }
    if (step === null) return bad;
    return {
      kind: 'for', at,
      loop: {
        variable, start: this.expr(start), compare, bound: this.expr(counter.getRight()), step,
        condition: extra.map((e) => this.expr(e)).reduce<Expr | null>((a, b) => (a === null ? b : { kind: 'binary', at: a.at, op: '&&', left: a, right: b }), null),
        directives: this.loopDirectives(node),
        body: this.block(node.getStatement()),
      },
    };
  }

  /** The `@name text` tags of `/** … *\/` comments directly before a loop. */
  private loopDirectives(node: ForStatement): LoopDirective[] {
    const found: LoopDirective[] = [];
    for (const comment of node.getLeadingCommentRanges()) {
      const text = comment.getText();
      if (!text.startsWith('/**')) continue;
      for (const m of text.matchAll(/@(\w*)([^@\n]*)/g)) {
        const { line, column } = this.file.getLineAndColumnAtPos(comment.getPos() + m.index);
        found.push({ at: { line, column }, name: m[1]!, text: m[2]!.replace(/\*\/\s*$/, '').trim() });
      }
    }
    return found;
  }

  // ── types ────────────────────────────────────────────────────────────────

  type(node: TypeNode): TypeRef {
    const at = this.at(node);
    if (TsNode.isParenthesizedTypeNode(node)) return this.type(node.getTypeNode());
    const kind = node.getKind();
    if (kind === SyntaxKind.NumberKeyword) return { kind: 'number', at };
    if (kind === SyntaxKind.BooleanKeyword) return { kind: 'boolean', at };
    if (kind === SyntaxKind.AnyKeyword || kind === SyntaxKind.UnknownKeyword) return { kind: 'any', at };
    if (TsNode.isArrayTypeNode(node)) return { kind: 'list', at, element: this.type(node.getElementTypeNode()), text: node.getText() };
    if (TsNode.isTypeOperatorTypeNode(node) && node.getOperator() === SyntaxKind.ReadonlyKeyword) {
      const inner = this.type(node.getTypeNode());
      if (inner.kind === 'list') return { ...inner, at, text: node.getText() };
    }
    if (TsNode.isTypeReference(node)) {
      const name = node.getTypeName().getText().split('.').pop()!;
      const args = node.getTypeArguments();
      if ((name === 'Array' || name === 'ReadonlyArray') && args.length === 1) return { kind: 'list', at, element: this.type(args[0]!), text: node.getText() };
      if (name === 'Param' && args.length === 1) return { kind: 'param', at, inner: this.type(args[0]!) };
      if (name === 'Tensor') return { kind: 'tensor', at, dims: args.length === 1 ? this.dims(args[0]!) : null };
      if (args.length === 0) return { kind: 'alias', at, name };
    }
    return { kind: 'other', at, text: node.getText() };
  }

  /** `[784, 'batch']` as dimensions, or null when the shape is not a literal tuple. */
  private dims(node: TypeNode): (number | string)[] | null {
    if (!TsNode.isTupleTypeNode(node)) return null;
    const dims: (number | string)[] = [];
    for (const element of node.getElements()) {
      if (!TsNode.isLiteralTypeNode(element)) return null;
      const literal = element.getLiteral();
      if (TsNode.isNumericLiteral(literal)) dims.push(numericValue(literal));
      else if (TsNode.isStringLiteral(literal)) dims.push(literal.getLiteralValue());
      // Tensor<[-3]>: kept as the number -3 so the shape check refuses it, located, instead of the
      // function silently counting as a helper (not an entry) and the module coming out empty.
      else if (TsNode.isPrefixUnaryExpression(literal) && literal.getOperatorToken() === SyntaxKind.MinusToken) {
        const operand = literal.getOperand();
        if (!TsNode.isNumericLiteral(operand)) return null;
        dims.push(-numericValue(operand));
      }
      else return null;
    }
    return dims;
  }

  // ── declarations ─────────────────────────────────────────────────────────

  param(p: ParameterDeclaration): ParamDecl {
    const typeNode = p.getTypeNode();
    return {
      at: this.at(p),
      name: p.getName(),
      type: typeNode === undefined ? null : this.type(typeNode),
      hasDefault: p.hasInitializer(),
      isRest: p.isRestParameter(),
      isPattern: !TsNode.isIdentifier(p.getNameNode()),
    };
  }

  function(
    node: FunctionDeclaration | ArrowFunction | FunctionExpression,
    name: string,
    exported: boolean,
    docs: JSDocableNode,
    at: Pos,
  ): FunctionDecl {
    const body = node.getBody();
    const returnType = node.getReturnTypeNode();
    let statements: Stmt[];
    if (body === undefined) statements = [];
    else if (TsNode.isBlock(body)) statements = this.block(body as Block);
    else statements = [{ kind: 'return', at: this.at(body), value: this.expr(body as Expression) }];
    return {
      at,
      name,
      exported,
      params: node.getParameters().map((p) => this.param(p)),
      returnType: returnType === undefined ? null : this.type(returnType),
      body: statements,
      ...this.jsDoc(docs),
      isAsync: node.isAsync(),
      isGenerator: !TsNode.isArrowFunction(node) && node.isGenerator(),
    };
  }

  private jsDoc(node: JSDocableNode): { doc: string | undefined; wrtTag: string[] | null } {
    let doc: string | undefined;
    let wrtTag: string[] | null = null;
    for (const d of node.getJsDocs()) {
      const description = d.getDescription().trim();
      if (description !== '') doc = description;
      for (const tag of d.getTags()) {
        if (tag.getTagName() !== 'wrt') continue;
        wrtTag = [...(wrtTag ?? []), ...(tag.getCommentText() ?? '').split(/[\s,]+/).filter((s) => s !== '')];
      }
    }
    return { doc, wrtTag };
  }
}

const CUSTOM_DERIVATIVE = 'customDerivative';

/** `customDerivative(…)` or `p.customDerivative(…)`; whether the name is the prelude's is the fence's question. */
function isCustomDerivativeCall(node: Expression): node is CallExpression {
  if (!TsNode.isCallExpression(node)) return false;
  const callee = node.getExpression();
  return (TsNode.isIdentifier(callee) && callee.getText() === CUSTOM_DERIVATIVE)
    || (TsNode.isPropertyAccessExpression(callee) && callee.getName() === CUSTOM_DERIVATIVE);
}

const RULE_HINT = 'Write customDerivative((x: number): number => …, { jvp: (x, xDot) => …, vjp: (x, y, yBar) => … }) with function literals.';

/**
 * `const name = customDerivative(primal, { jvp, vjp })`: the primal as the
 * declaration, its rules beside it. Anything malformed is kept as a problem
 * for the fence (with a placeholder primal, never lowered).
 */
function customRuleDecl(reader: Reader, call: CallExpression, name: string, exported: boolean, docs: JSDocableNode, at: Pos): FunctionDecl {
  const problems: { at: Pos; message: string; hint: string }[] = [];
  const callAt = reader.at(call);
  const [primalNode, rulesNode, ...extra] = call.getArguments();
  const isFunction = (n: TsNode | undefined): n is ArrowFunction | FunctionExpression =>
    n !== undefined && (TsNode.isArrowFunction(n) || TsNode.isFunctionExpression(n));
  if (extra.length > 0) problems.push({ at: reader.at(extra[0]!), message: 'customDerivative takes two arguments (the function and its rules)', hint: RULE_HINT });
  const primal: FunctionDecl = isFunction(primalNode)
    ? reader.function(primalNode, name, exported, docs, at)
    : { at, name, exported, params: [], returnType: null, body: [], doc: undefined, wrtTag: null, isAsync: false, isGenerator: false };
  if (!isFunction(primalNode)) {
    problems.push({ at: primalNode === undefined ? callAt : reader.at(primalNode), message: `the first argument of customDerivative must be a function literal (the primal of '${name}')`, hint: RULE_HINT });
  }
  let jvp: FunctionDecl | null = null;
  let vjp: FunctionDecl | null = null;
  if (rulesNode === undefined || !TsNode.isObjectLiteralExpression(rulesNode)) {
    problems.push({ at: rulesNode === undefined ? callAt : reader.at(rulesNode), message: `the second argument of customDerivative must be an object literal of rules ({ jvp, vjp }) for '${name}'`, hint: RULE_HINT });
  } else {
    for (const p of rulesNode.getProperties()) {
      const pAt = reader.at(p);
      const key = TsNode.isPropertyAssignment(p) || TsNode.isMethodDeclaration(p) || TsNode.isShorthandPropertyAssignment(p) ? p.getName() : p.getText();
      if (key !== 'jvp' && key !== 'vjp') {
        problems.push({ at: pAt, message: `'${key}' is not a rule of customDerivative${didYouMean(key, ['jvp', 'vjp'])}`, hint: 'The rules are jvp (the tangent of the output) and vjp (the cotangents of the arguments).' });
        continue;
      }
      const value = TsNode.isPropertyAssignment(p) ? p.getInitializer() : undefined;
      if (!isFunction(value)) {
        problems.push({ at: pAt, message: `the ${key} rule of '${name}' must be a function literal`, hint: key === 'jvp' ? 'Write jvp: (x, xDot) => … (the arguments, then their tangents, then optionally the output).' : 'Write vjp: (x, y, yBar) => … (the arguments, the output and its cotangent).' });
        continue;
      }
      const decl: FunctionDecl = { ...reader.function(value, `${name}.${key}`, false, docs, reader.at(value)), doc: undefined, wrtTag: null, isRule: true };
      if (key === 'jvp') jvp = decl;
      else vjp = decl;
    }
    if (jvp === null && vjp === null && problems.length === 0) {
      problems.push({ at: reader.at(rulesNode), message: `customDerivative for '${name}' gives no rule`, hint: 'Give jvp, vjp or both; without rules, write the function itself.' });
    }
  }
  return { ...primal, custom: { at: callAt, callee: reader.expr(call.getExpression()), jvp, vjp, problems } };
}

/**
 * How deep a model file's syntax tree may be. Reading, the fence and the
 * lowering walk the tree recursively (one to a few frames a level); at this
 * depth they use a small part of Node's default stack. No hand-written model
 * comes near it: it is a 500-term chain of one operator, or 500 nested calls.
 */
export const MAX_SYNTAX_DEPTH = 500;

const SYNTAX_HINT = 'A model file must be valid TypeScript; tsc --noEmit reports the same error.';
const DEPTH_HINT = 'Split the expression into several consts (const a = …; const b = a + …), or sum the terms of a tensor with sum(…).';
const depthMessage = `expression too deeply nested (limit ${MAX_SYNTAX_DEPTH} levels)`;

/** The model-file AST of `text` (the contents of `path`). */
export function readModule(path: string, text: string): ModuleAst {
  let file: SourceFile;
  const at = (pos: number): Pos => lineAndColumn(text, pos);
  try {
    file = sharedProject().createSourceFile(`/model${path.startsWith('/') ? '' : '/'}${path}`, text, { overwrite: true });
  } catch (e) {
    // TypeScript's parser is recursive: a file nested thousands deep overflows it.
    if (!(e instanceof RangeError)) throw e;
    project = undefined;
    return unreadableModule(path, text, [{ at: at(deepBracket(text, MAX_SYNTAX_DEPTH) ?? 0), message: depthMessage, hint: DEPTH_HINT }]);
  }
  try {
    const problems = syntaxProblems(file, at);
    if (problems.length > 0) return unreadableModule(path, text, problems);
    return convertModule(new Reader(file), file, path, text);
  } finally {
    file.forget();
  }
}

/** TypeScript's syntax errors, then (for a well-formed file) a node nested deeper than the walks allow. */
function syntaxProblems(file: SourceFile, at: (pos: number) => Pos): ReadProblem[] {
  const syntax = sharedProject().getProgram().getSyntacticDiagnostics(file);
  if (syntax.length > 0) {
    return syntax.map((d) => ({ at: at(d.getStart() ?? 0), message: `syntax error: ${syntaxMessage(d.getMessageText())}`, hint: SYNTAX_HINT }));
  }
  const deep = nodeDeeperThan(file.compilerNode, MAX_SYNTAX_DEPTH);
  return deep === undefined ? [] : [{ at: at(deep.getStart(file.compilerNode)), message: depthMessage, hint: DEPTH_HINT }];
}

/** `Expression expected.` → `expression expected`, the way our own messages read. */
function syntaxMessage(text: string | { getMessageText(): string }): string {
  const raw = typeof text === 'string' ? text : text.getMessageText();
  return raw.replace(/\.$/, '').replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase());
}

/** The first node (in source order) more than `limit` levels deep; iterative, so it is safe at any depth. */
function nodeDeeperThan(root: TsMorph.ts.Node, limit: number): TsMorph.ts.Node | undefined {
  const stack: { node: TsMorph.ts.Node; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > limit) return node;
    const children: TsMorph.ts.Node[] = [];
    ts.forEachChild(node, (c) => void children.push(c));
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, depth: depth + 1 });
  }
  return undefined;
}

/**
 * Where brackets first nest more than `limit` deep, by TypeScript's scanner
 * (which does not recurse), or undefined. It points at what overflowed the parser.
 */
function deepBracket(text: string, limit: number): number | undefined {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const open: ('bracket' | 'template')[] = [];
  for (let token = scanner.scan(); token !== SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === SyntaxKind.OpenParenToken || token === SyntaxKind.OpenBracketToken || token === SyntaxKind.OpenBraceToken) open.push('bracket');
    else if (token === SyntaxKind.TemplateHead) open.push('template');
    else if (token === SyntaxKind.CloseBraceToken && open[open.length - 1] === 'template') {
      // The `}` ending `${…}` continues the template: a middle part keeps it open, the tail closes it.
      if (scanner.reScanTemplateToken(false) === SyntaxKind.TemplateTail) open.pop();
    } else if (token === SyntaxKind.CloseParenToken || token === SyntaxKind.CloseBracketToken || token === SyntaxKind.CloseBraceToken) open.pop();
    if (open.length > limit) return scanner.getTokenStart();
  }
  return undefined;
}

function lineAndColumn(text: string, pos: number): Pos {
  const before = text.slice(0, pos).split(/\r?\n/);
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function unreadableModule(path: string, text: string, unreadable: readonly ReadProblem[]): ModuleAst {
  return { path, lines: text.split(/\r?\n/), imports: [], functions: [], constants: [], aliases: [], unsupported: [], anyTypes: [], unreadable };
}

function convertModule(reader: Reader, file: SourceFile, path: string, text: string): ModuleAst {
  const imports: ImportDecl[] = [];
  const functions: FunctionDecl[] = [];
  const constants: ConstantDecl[] = [];
  const aliases: TypeAliasDecl[] = [];
  const unsupported: (Stmt & { kind: 'unsupported' })[] = [];
  for (const s of file.getStatements()) {
    const at = reader.at(s);
    if (TsNode.isImportDeclaration(s)) {
      const names = new Map<string, string>();
      const nameAt = new Map<string, Pos>();
      for (const n of s.getNamedImports()) {
        const local = n.getAliasNode()?.getText() ?? n.getName();
        names.set(local, n.getName());
        nameAt.set(local, reader.at(n));
      }
      const def = s.getDefaultImport();
      if (def !== undefined) {
        names.set(def.getText(), 'default');
        nameAt.set(def.getText(), reader.at(def));
      }
      imports.push({
        at, from: s.getModuleSpecifierValue(), names, nameAt,
        namespace: s.getNamespaceImport()?.getText() ?? null, typeOnly: s.isTypeOnly(),
      });
    } else if (TsNode.isFunctionDeclaration(s)) {
      if (!s.hasBody()) continue; // an overload signature
      if (s.isDefaultExport()) {
        unsupported.push(reader.unsupported(s, 'export-default'));
        continue;
      }
      functions.push(reader.function(s, s.getName() ?? 'default', s.isExported(), s, at));
    } else if (TsNode.isVariableStatement(s)) {
      for (const d of s.getDeclarations()) {
        const init = d.getInitializer();
        const dAt = reader.at(d);
        if (!TsNode.isIdentifier(d.getNameNode())) unsupported.push(reader.unsupported(d, 'destructuring'));
        else if (init !== undefined && (TsNode.isArrowFunction(init) || TsNode.isFunctionExpression(init)) && s.getDeclarationKind() === 'const') {
          functions.push(reader.function(init, d.getName(), s.isExported(), s, dAt));
        } else if (init !== undefined && isCustomDerivativeCall(init) && s.getDeclarationKind() === 'const') {
          functions.push(customRuleDecl(reader, init, d.getName(), s.isExported(), s, dAt));
        } else {
          constants.push({ at: dAt, name: d.getName(), mutable: s.getDeclarationKind() !== 'const', init: init === undefined ? null : reader.expr(init), exported: s.isExported() });
        }
      }
    } else if (TsNode.isTypeAliasDeclaration(s)) {
      aliases.push({ at, name: s.getName(), type: reader.type(s.getTypeNodeOrThrow()) });
    } else if (TsNode.isInterfaceDeclaration(s) || TsNode.isEmptyStatement(s)) {
      continue;
    } else {
      const what = REJECTED[s.getKind()] ?? 'module-statement';
      unsupported.push(reader.unsupported(s, what));
    }
  }
  const anyTypes = [...file.getDescendantsOfKind(SyntaxKind.AnyKeyword), ...file.getDescendantsOfKind(SyntaxKind.UnknownKeyword)]
    .map((n) => reader.at(n))
    .sort((a, b) => a.line - b.line || a.column - b.column);
  return { path, lines: text.split(/\r?\n/), imports, functions, constants, aliases, unsupported, anyTypes, unreadable: [] };
}
