/**
 * The README's `gradc diff` section cannot drift from the code: its list of
 * functions is the mathjs front end's function table, its constants are
 * accepted, and every `$ gradc diff …` example prints exactly what it shows.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../compiler/cli.ts';
import { MATH_CONSTANTS, MATH_FUNCTIONS } from '../../compiler/frontend/mathFunctions.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The text from the `gradc diff` heading to the next second-level heading. */
function diffSection(): string {
  const start = README.indexOf('## `gradc diff`');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The words of the first backticked list after `lead` (which may wrap lines). */
function listAfter(section: string, lead: string): string[] {
  const match = new RegExp(`${lead}\\s+\`([^\`]+)\``).exec(section);
  expect(match, `README: no list after '${lead}'`).not.toBeNull();
  return match![1]!.split(/\s+/).filter((w) => w !== '');
}

/** Arguments of a shell command line written with single quotes only, as the README's are. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

interface Example {
  readonly argv: readonly string[];
  readonly output: string;
}

/** Each `$ gradc diff …` line of the section's code blocks, with the lines shown after it. */
function examples(section: string): Example[] {
  const blocks = [...section.matchAll(/```\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) => block.split(/^(?=\$ gradc diff )/m)
    .filter((part) => part.startsWith('$ gradc diff '))
    .map((part) => {
      const [command, ...lines] = part.trimEnd().split('\n');
      return { argv: shellWords(command!.slice('$ gradc '.length)), output: lines.join('\n') };
    }));
}

async function printed(argv: readonly string[]): Promise<string> {
  const lines: string[] = [];
  await main(argv, { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  return lines.join('\n');
}

describe("README's gradc diff section", () => {
  const section = diffSection();

  it('lists exactly the functions the mathjs front end accepts, each once', () => {
    const listed = listAfter(section, 'and the functions');
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(Object.keys(MATH_FUNCTIONS).sort());
  });

  it('lists constants the front end knows', () => {
    const listed = listAfter(section, 'the constants');
    expect(listed.length).toBeGreaterThan(0);
    for (const name of listed) expect(Object.keys(MATH_CONSTANTS)).toContain(name);
  });

  const shown = examples(section);
  it('has the examples this test runs', () => {
    expect(shown.length).toBeGreaterThan(0);
  });
  it.each(shown.map((e) => [e.argv.join(' '), e] as const))('prints what it shows for gradc %s', async (_, example) => {
    expect(await printed(example.argv)).toBe(example.output);
  });
});
