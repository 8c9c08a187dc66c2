/**
 * What `gradc compile --emit` (and `emit` in gradc.config.ts and
 * compileModelFile's options) says: the module's language — `ts` writes
 * `<name>.grad.ts`, `js` writes `<name>.grad.js` + `<name>.grad.d.ts` — and
 * which functions it carries for each model function, in one list:
 * `--emit js`, `--emit value,gradient`, `--emit js,value,gradient,vjp`. A
 * list naming no function kind means the default set. Kept free of the
 * compiler's other stages so the CLI can check the flag before loading them.
 */
import { UsageError, didYouMean } from '../errors.ts';

export const LANGUAGES = ['ts', 'js'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * Every kind a module can carry: the derivatives (autodiff/derive.ts's DERIVATIVE_KINDS), the dense Jacobian of a
 * tensor output (built at run time from JVPs or VJPs, whichever takes fewer) and the flat-vector variants.
 */
export const MODULE_KINDS = ['value', 'gradient', 'jvp', 'vjp', 'hvp', 'ggnvp', 'hessian', 'jacobian', 'flat'] as const;
export type ModuleKind = (typeof MODULE_KINDS)[number];

/** What a module carries unless told otherwise: everything a trainer and the second-order methods call. */
export const DEFAULT_EMIT: readonly ModuleKind[] = ['value', 'gradient', 'jvp', 'hvp', 'ggnvp', 'flat'];

export type EmitItem = Language | ModuleKind;
/** A language alone, or a list of at most one language and any kinds. */
export type EmitSpec = Language | readonly EmitItem[];

export interface EmitChoice {
  readonly language: Language;
  readonly kinds: readonly ModuleKind[];
}

const ITEMS: readonly string[] = [...LANGUAGES, ...MODULE_KINDS];

const isLanguage = (item: string): item is Language => (LANGUAGES as readonly string[]).includes(item);

/** The language and kinds an emit spec asks for; `where` names the flag or key in messages ('' for none). */
export function parseEmit(spec: EmitSpec | undefined, where = 'emit'): EmitChoice {
  if (spec === undefined) return { language: 'ts', kinds: DEFAULT_EMIT };
  const at = where === '' ? '' : `${where}: `;
  const items = typeof spec === 'string' ? [spec] : spec;
  for (const item of items) {
    if (!ITEMS.includes(item)) {
      throw new UsageError(`${at}'${item}' is not a language (ts, js) or a function kind (${MODULE_KINDS.join(', ')})${didYouMean(item, ITEMS)}`);
    }
  }
  const languages = items.filter(isLanguage);
  if (languages.length > 1) throw new UsageError(`${at}name one language, not ${languages.join(' and ')}`);
  const kinds = items.filter((item): item is ModuleKind => !isLanguage(item));
  return { language: languages[0] ?? 'ts', kinds: kinds.length === 0 ? DEFAULT_EMIT : [...new Set(kinds)] };
}

/** `--emit js,value,gradient` → its items (checked by parseEmit). */
export function parseEmitFlag(text: string): EmitItem[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`--emit needs a language (ts, js) or function kinds, e.g. --emit js or --emit value,gradient`);
  parseEmit(items as EmitItem[], '--emit');
  return items as EmitItem[];
}
