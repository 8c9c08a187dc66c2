// The module-size section of `npm run bench` (alone: `npm run bench -- sizes`): how large
// a generated module is for each `--emit` selection, for the example models as checked
// in. Sizes are exact (the compiler is deterministic), so this section times nothing; it
// is here so that the README's table comes from a command anyone can run.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileModelFile } from '../../compiler/api/compileModelFile.ts';
import type { EmitItem } from '../../compiler/module/emitSpec.ts';

const MODELS = ['examples/mlp/mlp.model.ts', 'examples/rosenbrock/rosenbrock.model.ts'] as const;
const SELECTIONS: readonly { readonly label: string; readonly emit: readonly EmitItem[] }[] = [
  { label: 'value,gradient', emit: ['value', 'gradient'] },
  { label: 'value,gradient,flat', emit: ['value', 'gradient', 'flat'] },
  { label: '(default) value,gradient,jvp,hvp,ggnvp,flat', emit: ['value', 'gradient', 'jvp', 'hvp', 'ggnvp', 'flat'] },
  { label: 'all: + vjp,hessian,jacobian', emit: ['value', 'gradient', 'jvp', 'vjp', 'hvp', 'ggnvp', 'hessian', 'jacobian', 'flat'] },
];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

export async function moduleSizesBench(): Promise<void> {
  const lines = ['', '## Generated module size by --emit', '', `| --emit | ${MODELS.map((m) => `\`${m.split('/').pop()}\``).join(' | ')} |`, `| --- |${MODELS.map(() => ' --- |').join('')}`];
  for (const s of SELECTIONS) {
    const cells = MODELS.map((path) => {
      const text = readFileSync(`${ROOT}${path}`, 'utf8');
      const source = compileModelFile(path, { text, emit: [...s.emit] }).files[0]!.content;
      return `${kb(Buffer.byteLength(source))}, ${source.split('\n').length - 1} lines`;
    });
    lines.push(`| ${s.label} | ${cells.join(' | ')} |`);
  }
  console.log(lines.join('\n'));
}
