// The session the trainer's automatic diagnosis runs under: kernels of plain model-file
// builds ask it for their checkFinite twins; twins are built on first request (one build
// per model file for the whole run) and the step is re-run from its reset state.
import { describe, expect, it } from 'vitest';
import { FiniteTwins } from '../../../runtime/train/finiteTwins.ts';

type Session = { twin(file: string, kernel: string): (...args: unknown[]) => unknown };
const shared = (): { session?: Session } => ((globalThis as unknown as Record<symbol, { session?: Session }>)[Symbol.for('gradc.finiteDiagnosis')] ??= {});

/** What a plain build's kernel does first (compiler/emit/finiteTwin.ts): ask the session, if any. */
function plainKernel(file: string, name: string, plain: (x: number) => number): (x: number) => number {
  return (x) => {
    const twin = shared().session?.twin(file, name);
    return twin !== undefined ? (twin(x) as number) : plain(x);
  };
}

describe('FiniteTwins', () => {
  it('builds each model file once, re-runs from reset after each build, and answers kernels with twins', async () => {
    const builds: string[] = [];
    const twins = new FiniteTwins(async (file) => {
      builds.push(file);
      return { k: (x: unknown) => (file === 'a.model.ts' ? 100 : 200) + (x as number) };
    });
    const a = plainKernel('a.model.ts', 'k', (x) => x);
    const b = plainKernel('b.model.ts', 'k', (x) => -x);
    let resets = 0;
    const seen: number[] = [];
    const run = await twins.run(
      () => seen.push(a(1), b(2)),
      () => {
        resets++;
        seen.length = 0;
      },
    );
    expect(run).toEqual({ kind: 'ran', error: null });
    expect(builds).toEqual(['a.model.ts', 'b.model.ts']);
    expect(resets).toBe(3); // first run stops at a, the second at b, the third runs through
    expect(seen).toEqual([101, 202]);
    // The session is gone afterwards: the same kernels compute plainly again.
    expect([a(1), b(2)]).toEqual([1, -2]);
    // A second diagnosis reuses the builds.
    expect(await twins.run(() => seen.push(a(3)), () => {})).toEqual({ kind: 'ran', error: null });
    expect(builds).toHaveLength(2);
  });

  it("passes on the twin's error, and says 'unused' when no model-file kernel ran", async () => {
    const bad = new RangeError('non-finite');
    const twins = new FiniteTwins(async () => ({
      k: () => {
        throw bad;
      },
    }));
    const a = plainKernel('a.model.ts', 'k', (x) => x);
    expect(await twins.run(() => a(1), () => {})).toEqual({ kind: 'ran', error: bad });
    expect(await twins.run(() => Math.sqrt(-1), () => {})).toEqual({ kind: 'unused' });
  });

  it('a build that fails, or a twin without the kernel asked for, is reported, not thrown', async () => {
    const failing = new FiniteTwins(async () => {
      throw new Error('syntax error at a.model.ts:3:1');
    });
    const a = plainKernel('a.model.ts', 'k', (x) => x);
    expect(await failing.run(() => a(1), () => {})).toEqual({ kind: 'failed', message: 'could not build a checkFinite twin of a.model.ts: syntax error at a.model.ts:3:1' });
    const stale = new FiniteTwins(async () => ({ other: () => 0 }));
    const run = await stale.run(() => a(1), () => {});
    expect(run.kind).toBe('ran');
    expect(String((run as { error: unknown }).error)).toContain("the checkFinite build of a.model.ts has no kernel 'k': the model file changed since the module was generated; recompile it");
    // A session that was already set (a diagnosis inside a diagnosis) is put back.
    expect(shared().session).toBeUndefined();
  });
});
