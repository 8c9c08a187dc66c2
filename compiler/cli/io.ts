/** Where the CLI writes, so tests can run it in-process and read what it printed. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Splits `a,b , c` into names; empty entries are dropped. */
export function parseList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}
