/**
 * The call graph of a model file's functions, for the fence's recursion
 * check: helpers are inlined, so a cycle of calls would never end.
 */
import type { Expr, FunctionDecl, Pos, Stmt } from './ast.ts';

/** Calls among this file's functions, for the recursion check. */
function callsIn(stmts: readonly Stmt[], out: { name: string; at: Pos }[] = []): { name: string; at: Pos }[] {
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'call':
        if (e.callee.kind === 'name') out.push({ name: e.callee.name, at: e.callee.at });
        visit(e.callee);
        return e.args.forEach(visit);
      case 'member': return visit(e.object);
      case 'index': visit(e.object); return visit(e.index);
      case 'unary': return visit(e.operand);
      case 'binary': visit(e.left); return visit(e.right);
      case 'conditional': visit(e.test); visit(e.then); return visit(e.otherwise);
      case 'array': return e.elements.forEach(visit);
      case 'record': return e.entries.forEach((x) => visit(x.value));
      case 'tagged': visit(e.tag); return e.values.forEach(visit);
      default: return;
    }
  };
  for (const s of stmts) {
    if (s.kind === 'declare' && s.init !== null) visit(s.init);
    else if (s.kind === 'assign') visit(s.value);
    else if (s.kind === 'return' && s.value !== null) visit(s.value);
    else if (s.kind === 'expression') visit(s.expr);
    else if (s.kind === 'if') { visit(s.test); callsIn(s.then, out); callsIn(s.otherwise ?? [], out); }
    else if (s.kind === 'for') { visit(s.loop.start); visit(s.loop.bound); visit(s.loop.step); if (s.loop.condition !== null) visit(s.loop.condition); callsIn(s.loop.body, out); }
    else if (s.kind === 'block') callsIn(s.body, out);
  }
  return out;
}

/** Direct and mutual recursion among the file's functions: one diagnostic per cycle, at the call that closes it. */
export function recursiveCalls(fns: readonly FunctionDecl[]): { at: Pos; message: string }[] {
  const found: { at: Pos; message: string }[] = [];
  const byName = new Map(fns.map((f) => [f.name, f]));
  const calls = new Map(fns.map((f) => [f.name, callsIn(f.body).filter((c) => byName.has(c.name))]));
  const reported = new Set<string>();
  const state = new Map<string, 'active' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'active');
    path.push(name);
    for (const call of calls.get(name) ?? []) {
      if (state.get(call.name) === 'active') {
        const cycle = [...path.slice(path.indexOf(call.name)), call.name];
        const key = [...new Set(cycle)].sort().join(',');
        if (reported.has(key)) continue;
        reported.add(key);
        const what = cycle.length === 2 ? `'${name}' calls itself` : `${cycle.map((n) => `'${n}'`).join(' → ')} is mutual recursion`;
        found.push({ at: call.at, message: `recursion is not supported: ${what}` });
      } else if (state.get(call.name) === undefined) visit(call.name);
    }
    path.pop();
    state.set(name, 'done');
  };
  for (const f of fns) if (state.get(f.name) === undefined) visit(f.name);
  return found;
}

