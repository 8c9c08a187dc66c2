// The --health build (issue 18): the value-and-gradient kernel's statistics against a
// reference computed from the eager model (the fixture run as TypeScript on prelude
// tensors) on constructed cases — every tanh and sigmoid unit saturated and every ReLU
// dead, a mixed case, and the exact ‖∂L/∂h_t‖ of a tiny RNN by hand-written BPTT —; the
// value and gradient unchanged by the instrumentation; and the
// option's checks. That a plain build is byte-identical to before is the goldens' and
// `gradc compile --check`'s to show (nothing of it is emitted without the option).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../compiler/build/configSchema.ts';
import { main } from '../../compiler/cli.ts';
import { compileModelFile, loadModelFile } from '../../compiler/index.ts';
import { typeCheckModule } from '../../compiler/load/typeCheckModule.ts';
import { Tensor } from '../../compiler/prelude/tensor.ts';
import { SeededRng } from '../../runtime/random/seededRng.ts';
import * as eager from './fixtures/health.model.ts';

const PATH = relative(process.cwd(), fileURLToPath(new URL('./fixtures/health.model.ts', import.meta.url)));
const TEXT_LINES = compileModelFile(PATH).files[0]!.content; // the plain build, to compare against
type Fn = (...args: unknown[]) => unknown;
interface Health {
  readonly saturation: number;
  readonly activations: readonly { site: string; text: string; op: string; measure: string; fraction: number }[];
  readonly loops: readonly { site: string; text: string; carry: string; gradNorm: Float64Array }[];
}
const load = (health: boolean | { saturation: number }) => loadModelFile(PATH, { health }) as Readonly<Record<string, Fn>>;
const instrumented = load(true);
const plain = load(false);

const rng = SeededRng.fromSeed(18);
const draw = (n: number, scale: number, shift = 0) => Float64Array.from({ length: n }, () => shift + scale * (2 * rng.float() - 1));
const T = (shape: number[], data: Float64Array) => new Tensor(shape, data);

interface NetPoint {
  readonly W1: Float64Array;
  readonly W2: Float64Array;
  readonly W3: Float64Array;
  readonly b3: Float64Array;
  readonly X: Float64Array;
  readonly batch: number;
}

/** The reference: each layer run eagerly, its saturated elements and dead units counted. */
function reference(p: NetPoint, saturation: number): number[] {
  const X = T([p.batch, 3], p.X);
  const [W1, W2, W3, b3] = [T([3, 4], p.W1), T([4, 5], p.W2), T([5, 6], p.W3), T([6], p.b3)];
  const run = <A extends unknown[]>(f: (...a: A) => unknown, ...a: A) => (f(...a) as Tensor).data;
  const h1 = run(eager.layer1 as unknown as (...a: Tensor[]) => Tensor, W1, X);
  const h2 = run(eager.layer2 as unknown as (...a: Tensor[]) => Tensor, W1, W2, X);
  const h3 = run(eager.layer3 as unknown as (...a: Tensor[]) => Tensor, W1, W2, W3, b3, X);
  const share = (xs: Float64Array, saturated: (y: number) => boolean) => xs.filter(saturated).length / xs.length;
  let dead = 0;
  for (let j = 0; j < 6; j++) if (Array.from({ length: p.batch }, (_, b) => h3[b * 6 + j]!).every((v) => v === 0)) dead++;
  return [share(h1, (y) => 1 - y * y < saturation), share(h2, (s) => s * (1 - s) < saturation), dead / 6];
}

function instrumentedRun(mod: Readonly<Record<string, Fn>>, p: NetPoint): { value: number; grad: Float64Array; health: Health } {
  const grad = new Float64Array(68);
  const value = mod['netValueAndGradient']!(p.W1, p.W2, p.W3, p.b3, p.X, grad) as number;
  return { value, grad, health: mod['netHealth']!() as Health };
}

describe('gradc compile --health: activations', () => {
  it('type-checks strictly and names each activation by its model line', () => {
    const source = compileModelFile(PATH, { health: true }).files[0]!.content;
    expect(typeCheckModule(source)).toEqual([]);
    expect(instrumented['netHealth']!()).toBeNull();
    const batch = 4;
    const { health } = instrumentedRun(instrumented, { W1: draw(12, 1), W2: draw(20, 1), W3: draw(30, 1), b3: draw(6, 1), X: draw(batch * 3, 1), batch });
    expect(health.saturation).toBe(0.01);
    expect(health.activations.map((a) => [a.op, a.measure, a.site, a.text])).toEqual([
      ['tanh', 'saturated', `${PATH}:12:10`, 'return tanh(matmul(X, W1));'],
      ['sigmoid', 'saturated', `${PATH}:16:10`, 'return sigmoid(matmul(layer1(W1, X), W2));'],
      ['relu', 'dead', `${PATH}:20:10`, 'return relu(add(matmul(layer2(W1, W2, X), W3), b3));'],
    ]);
    expect(health.loops).toEqual([]);
  });

  it('all saturated and all dead: every tanh and sigmoid element saturated, every ReLU dead', () => {
    const batch = 5;
    // Large first-layer weights drive tanh to ±1, which then drives the sigmoid to 0 or 1;
    // a negative bias larger than anything the sigmoid layer can add kills every ReLU.
    const p: NetPoint = { W1: draw(12, 1, 50), W2: draw(20, 1, 40), W3: draw(30, 1), b3: new Float64Array(6).fill(-10), X: draw(batch * 3, 0.5, 1), batch };
    const { health } = instrumentedRun(instrumented, p);
    expect(reference(p, 0.01)).toEqual([1, 1, 1]);
    expect(health.activations.map((a) => a.fraction)).toEqual([1, 1, 1]);
  });

  it('none saturated and none dead at small weights and a positive bias', () => {
    const batch = 3;
    const p: NetPoint = { W1: draw(12, 0.1), W2: draw(20, 0.1), W3: draw(30, 0.1), b3: new Float64Array(6).fill(1), X: draw(batch * 3, 1), batch };
    expect(reference(p, 0.01)).toEqual([0, 0, 0]);
    expect(instrumentedRun(instrumented, p).health.activations.map((a) => a.fraction)).toEqual([0, 0, 0]);
  });

  it('mixed cases equal the eager reference, at the default and a configured threshold, and leave value and gradient unchanged', () => {
    const looser = load({ saturation: 0.2 });
    for (const batch of [1, 7, 32]) {
      const p: NetPoint = { W1: draw(12, 3), W2: draw(20, 4), W3: draw(30, 1), b3: draw(6, 1.5), X: draw(batch * 3, 1.5), batch };
      const got = instrumentedRun(instrumented, p);
      const want = reference(p, 0.01);
      got.health.activations.forEach((a, i) => expect(a.fraction).toBeCloseTo(want[i]!, 14));
      expect(want.some((w) => w > 0 && w < 1)).toBe(true);
      const loose = instrumentedRun(looser, p).health;
      expect(loose.saturation).toBe(0.2);
      const wantLoose = reference(p, 0.2);
      loose.activations.forEach((a, i) => expect(a.fraction).toBeCloseTo(wantLoose[i]!, 14));
      const gradPlain = new Float64Array(68);
      const valuePlain = plain['netValueAndGradient']!(p.W1, p.W2, p.W3, p.b3, p.X, gradPlain) as number;
      expect(got.value).toBe(valuePlain);
      expect(got.grad).toEqual(gradPlain);
    }
  });

  it('the flat objective fills the same statistics', () => {
    const batch = 6;
    const p: NetPoint = { W1: draw(12, 3), W2: draw(20, 4), W3: draw(30, 1), b3: draw(6, 1.5), X: draw(batch * 3, 1.5), batch };
    const flat = instrumented['netFlat']!(p.X) as { objective: (x: Float64Array, g: Float64Array) => number };
    const x = new Float64Array([...p.W1, ...p.W2, ...p.W3, ...p.b3]);
    flat.objective(x, new Float64Array(68));
    const want = reference(p, 0.01);
    (instrumented['netHealth']!() as Health).activations.forEach((a, i) => expect(a.fraction).toBeCloseTo(want[i]!, 14));
  });
});

/** The tiny RNN's ‖∂L/∂h_{t+1}‖ for t = 0 … T−1 (h_{t+1} the state step t hands on), L = Σ h_T², by BPTT written out. */
function rnnReference(Wh: Float64Array, Wx: Float64Array, X: Float64Array, h0: Float64Array, time: number, batch: number): number[] {
  const states: Float64Array[] = [h0];
  for (let t = 0; t < time; t++) {
    const prev = states[t]!;
    const next = new Float64Array(batch * 2);
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < 2; j++) {
        let z = X[t * batch + b]! * Wx[j]!;
        for (let i = 0; i < 2; i++) z += prev[b * 2 + i]! * Wh[i * 2 + j]!;
        next[b * 2 + j] = Math.tanh(z);
      }
    }
    states.push(next);
  }
  let g = states[time]!.map((h) => 2 * h);
  const norms = new Array<number>(time);
  for (let t = time - 1; t >= 0; t--) {
    norms[t] = Math.hypot(...g);
    const h = states[t + 1]!;
    const back = new Float64Array(batch * 2);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < 2; i++) {
        let s = 0;
        for (let j = 0; j < 2; j++) s += (1 - h[b * 2 + j]! ** 2) * g[b * 2 + j]! * Wh[i * 2 + j]!;
        back[b * 2 + i] = s;
      }
    }
    g = back;
  }
  return norms;
}

describe('gradc compile --health: loops', () => {
  it('gives ‖∂L/∂h_t‖ against t of a tiny RNN exactly, at two lengths, with the loss unchanged', () => {
    for (const [time, batch, scale] of [
      [5, 1, 0.5],
      [23, 3, 2],
    ] as const) {
      const Wh = draw(4, scale);
      const Wx = draw(2, 1);
      const X = draw(time * batch, 1);
      const h0 = draw(batch * 2, 0.5);
      const grad = new Float64Array(6);
      const value = instrumented['rnnValueAndGradient']!(Wh, Wx, X, h0, grad) as number;
      expect(value).toBe(plain['rnn']!(Wh, Wx, X, h0));
      const eagerValue = (eager.rnn as unknown as (...a: Tensor[]) => number)(T([2, 2], Wh), T([1, 2], Wx), T([time, batch, 1], X), T([batch, 2], h0));
      expect(value).toBeCloseTo(eagerValue, 12);
      const health = instrumented['rnnHealth']!() as Health;
      expect(health.activations).toEqual([]);
      expect(health.loops).toHaveLength(1);
      const loop = health.loops[0]!;
      expect(loop.carry).toBe('h');
      expect(loop.site).toBe(`${PATH}:29:3`);
      expect(loop.gradNorm).toHaveLength(time);
      const want = rnnReference(Wh, Wx, X, h0, time, batch);
      loop.gradNorm.forEach((n, t) => expect(n).toBeCloseTo(want[t]!, 12));
    }
  });
});

describe('gradc compile --health: scalar kernels', () => {
  it('a model of scalars counts each activation as one unit, named by its column', () => {
    const text = [
      "import type { Param } from 'gradc/prelude';",
      "import { relu, sigmoid } from 'gradc/prelude';",
      'export function f(a: Param<number>, b: Param<number>): number {',
      '  return Math.tanh(a) + sigmoid(b) + relu(a - b);',
      '}',
      '',
    ].join('\n');
    const source = compileModelFile('models/scalar.model.ts', { text, health: true }).files[0]!.content;
    expect(typeCheckModule(source)).toEqual([]);
    const m = loadModelFile('models/scalar.model.ts', { text, health: true }) as Readonly<Record<string, Fn>>;
    const shares = (a: number, b: number) => {
      const grad = new Float64Array(2);
      const value = m['fValueAndGradient']!(a, b, grad) as number;
      expect(value).toBeCloseTo(Math.tanh(a) + 1 / (1 + Math.exp(-b)) + Math.max(a - b, 0), 13);
      return (m['fHealth']!() as Health).activations.map((x) => `${x.op}@${x.site.split(':').at(-1)}=${x.fraction}`);
    };
    // tanh'(10) and σ'(-10) are below 0.01; relu(20) is alive.
    expect(shares(10, -10)).toEqual(['relu@38=0', 'sigmoid@25=1', 'tanh@10=1']);
    expect(shares(0.1, 0.2)).toEqual(['relu@38=1', 'sigmoid@25=0', 'tanh@10=0']);
  });
});

describe('the health option', () => {
  it('refuses a saturation threshold outside (0, 1), in the API and on the command line', async () => {
    expect(() => compileModelFile(PATH, { health: { saturation: 2 } })).toThrow(/saturation threshold must be a number between 0 and 1/);
    const err: string[] = [];
    const code = await main(['compile', PATH, '--check', '--health', 'lots'], { out: () => {}, err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/--health: the saturation threshold must be a number between 0 and 1.*not NaN/);
  });

  it('gradc compile --health 0.05 writes the instrumented module; the config takes health too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-health-'));
    try {
      const code = await main(['compile', PATH, '--health', '0.05', '--out-dir', dir], { out: () => {}, err: () => {} });
      expect(code).toBe(0);
      const written = readFileSync(join(dir, 'health.grad.ts'), 'utf8');
      expect(written).toBe(compileModelFile(PATH, { health: { saturation: 0.05 } }).files[0]!.content);
      expect(written).toContain('saturation: 0.05,');
      expect(configSchema.safeParse({ health: true }).success).toBe(true);
      expect(configSchema.safeParse({ health: { saturation: 0.05 } }).success).toBe(true);
      expect(configSchema.safeParse({ health: { saturation: 5 } }).success).toBe(false);
      expect(configSchema.safeParse({ health: { threshold: 0.05 } }).success).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('emits nothing of it without the option', () => {
    expect(TEXT_LINES).not.toMatch(/GradcHealth|HealthValues|netHealth|rnnHealth/);
  });
});
