/**
 * Hygienic names for generated code: every name is claimed once, never
 * shadows a parameter, a helper or a reserved word, and says what it is
 * where it can (`sinY` for sin(y)), falling back to numbered temporaries.
 */
import { identifier } from './safeText.ts';
import type { Identifier } from './safeText.ts';

const RESERVED = new Set([
  'Math', 'Infinity', 'NaN', 'undefined', 'arguments', 'eval', 'await', 'break', 'case', 'catch',
  'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export',
  'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in',
  'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private', 'protected', 'public',
  'return', 'static', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void',
  'while', 'with', 'yield', 'number', 'boolean', 'Float64Array',
]);

export class NameManager {
  private readonly taken = new Set<string>(RESERVED);
  private counter = 0;
  private readonly nextSuffix = new Map<string, number>();

  constructor(claimed: Iterable<string> = []) {
    for (const name of claimed) this.taken.add(name);
  }

  isTaken(name: string): boolean {
    return this.taken.has(name);
  }

  /**
   * Claims `preferred` if free, else `preferred1`, `preferred2`, … A user's
   * name reaches generated code through here, so it passes the identifier
   * gate first (an unsafe name is an error, never a renamed surprise).
   */
  claim(preferred: string): Identifier {
    identifier(preferred);
    let name = preferred;
    // Suffixes below the last one handed out for `preferred` are all taken (names are never released): start there.
    let k = this.nextSuffix.get(preferred) ?? 1;
    if (this.taken.has(name)) for (name = `${preferred}${k}`; this.taken.has(name); name = `${preferred}${++k}`);
    if (name !== preferred) this.nextSuffix.set(preferred, k + 1);
    this.taken.add(name);
    return identifier(name);
  }

  /** A numbered temporary `t0`, `t1`, … */
  temporary(): Identifier {
    let name: string;
    do name = `t${this.counter++}`;
    while (this.taken.has(name));
    this.taken.add(name);
    return identifier(name);
  }
}

export const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

