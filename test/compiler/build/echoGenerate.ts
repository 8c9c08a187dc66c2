/**
 * A `Generate` for testing the build mechanics without the model-file
 * compiler: the "generated module" is the model text, upper-cased, under the
 * contract's header and output name. A line `fail` is a located mistake.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SourceError } from '../../../compiler/errors.ts';
import type { Generate, GeneratedFile } from '../../../compiler/build/generate.ts';
import { parseEmit } from '../../../compiler/module/emitSpec.ts';

export function generatedPath(input: string, outDir: string | undefined, extension: string): string {
  const name = basename(input).replace(/\.model\.ts$/, extension);
  return join(outDir ?? dirname(input), name).replace(/\\/g, '/');
}

export function echoGenerate(cwd: string): Generate {
  return (path, options = {}) => {
    const text = options.text ?? readFileSync(join(cwd, path), 'utf8');
    const line = text.split('\n').indexOf('fail');
    if (line >= 0) throw new SourceError('this line says fail', { file: path, line: line + 1, column: 1 }, 'fail', "Remove the line 'fail'.");
    const body = `// generated from ${path} wrt ${(options.wrt ?? ['*']).join(',')}\nexport function f(): string { return ${JSON.stringify(text.toUpperCase())}; }\n`;
    const files: GeneratedFile[] = parseEmit(options.emit).language === 'js'
      ? [{ path: generatedPath(path, options.outDir, '.grad.js'), content: body.replace(': string', '') }, { path: generatedPath(path, options.outDir, '.grad.d.ts'), content: 'export declare function f(): string;\n' }]
      : [{ path: generatedPath(path, options.outDir, '.grad.ts'), content: body }];
    return { files };
  };
}
