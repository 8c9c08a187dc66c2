/**
 * The log-gamma family: lgamma = log|Γ|, digamma ψ = lgamma′, trigamma ψ′ and
 * polygamma ψ⁽ⁿ⁾, each a reference implementation (the IR evaluator's, and so
 * the eager prelude's) and the TypeScript source a generated module that calls
 * it defines (helpers.ts). The sources are built from the same coefficient
 * tables, and test/compiler/gammaFunctions.test.ts compares the two bit for bit.
 *
 * The method, for each: the recurrence Γ(x + 1) = xΓ(x) (ψ(x + 1) = ψ(x) + 1/x)
 * moves x > 0 up to where an asymptotic series converges to full precision,
 * and the reflection formula Γ(x)Γ(1 − x) = π / sin πx takes x < 0 to 1 − x > 1.
 * lgamma near its zeros 1 and 2, and digamma near its positive zero x₀, use
 * Taylor series about those points instead, so the result keeps its relative
 * precision where it is small. Poles follow PyTorch and SciPy: lgamma is +∞ at
 * 0, −1, −2, …; digamma is −∞ at +0, +∞ at −0 and NaN at negative integers;
 * ψ⁽ⁿ⁾ (n ≥ 1) is (−1)ⁿ⁺¹∞ at every pole.
 *
 * Coefficients were computed with mpmath at 40 digits and rounded to doubles
 * (the generating expression is beside each table).
 */

/** lgamma(2 + t) = (1 − γ)t + Σₖ≥₂ (−1)ᵏ (ζ(k) − 1) tᵏ / k: entry k − 1 is the coefficient of tᵏ (|t| ≤ ½ needs 26). */
const LGAMMA_AT_2 = [
  0.42278433509846713, 0.3224670334241132, -0.0673523010531981, 0.020580808427784546, -0.007385551028673986,
  0.0028905103307415234, -0.001192753911703261, 0.0005096695247430425, -0.00022315475845357939, 9.945751278180853e-05,
  -4.492623673813314e-05, 2.050721277567069e-05, -9.439488275268397e-06, 4.374866789907488e-06, -2.039215753801366e-06,
  9.55141213040742e-07, -4.492469198764566e-07, 2.1207184805554665e-07, -1.0043224823968099e-07, 4.7698101693639804e-08,
  -2.2711094608943164e-08, 1.0838659214896955e-08, -5.183475041970047e-09, 2.4836745438024785e-09, -1.1921401405860912e-09,
  5.731367241678862e-10,
] as const;

/** Stirling's series of lgamma: B₂ₖ / (2k(2k − 1)), k = 1…8, the coefficients of x^(1−2k). */
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400] as const;

/** log √(2π) */
const LOG_SQRT_2PI = 0.9189385332046728;

/** x₀, the positive zero of ψ, as x₀ = X0_HI + X0_LO (the second part is below X0_HI's last bit). */
const X0_HI = 1.4616321449683622;
const X0_LO = 9.549995429965697e-17;

/** ψ(x₀ + d) = Σₖ≥₁ (−1)ᵏ⁺¹ ζ(k + 1, x₀) dᵏ: entry k − 1 is the coefficient of dᵏ (|d| < ¼ needs 23). */
const DIGAMMA_AT_ROOT = [
  0.9676722454476212, -0.4427631689835921, 0.258499760955651, -0.16394270544240652, 0.10782405069126237,
  -0.07219956125645471, 0.04880428816414311, -0.03316112647484736, 0.022597648232218104, -0.01542476590494896,
  0.010538791616612175, -0.007204534386356869, 0.004926781395729853, -0.003369801655439328, 0.002305126326734928,
  -0.0015769367714301972, 0.0010788252019162967, -0.0007380709389960052, 0.000504953265834602, -0.0003454680251063077,
  0.00023635601564027053, -0.00016170622091974803, 0.0001106337276874741,
] as const;

/** ψ(x) ~ log x − 1/(2x) − Σₖ B₂ₖ / (2k x²ᵏ): B₂ₖ / 2k, k = 1…8, the coefficients of x^(−2k). */
const DIGAMMA_ASYMPTOTIC = [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12, -3617 / 8160] as const;

/** ψ′(x) ~ 1/x + 1/(2x²) + Σₖ B₂ₖ / x²ᵏ⁺¹: B₂ₖ, k = 1…9, the coefficients of x^(−2k−1). */
const TRIGAMMA_ASYMPTOTIC = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798] as const;

/** ζ(s, y) by Euler–Maclaurin: B₂ⱼ / (2j)!, j = 1…9. */
const ZETA_TAIL = [
  1 / 12, -1 / 720, 1 / 30240, -1 / 1209600, 1 / 47900160, -691 / 1307674368000, 1 / 74724249600,
  -3617 / 10670622842880000, 43867 / 5109094217170944000,
] as const;

/** Σ cᵢ tⁱ⁺¹ … by Horner's rule: c₀ + t(c₁ + t(… + t c_last)), the order the emitted text writes it in. */
function horner(c: readonly number[], t: number): number {
  let s = c[c.length - 1]!;
  for (let i = c.length - 2; i >= 0; i--) s = c[i]! + t * s;
  return s;
}

/** The same polynomial as TypeScript text, operations in the same order as `horner`. */
function hornerText(c: readonly number[], t: string): string {
  return c.slice(0, -1).reduceRight((inner, ci) => `${ci} + ${t} * (${inner})`, `${c[c.length - 1]!}`);
}

/** log|Γ(x)|. */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity || x === -Infinity || (x <= 0 && x === Math.floor(x))) return Infinity;
  // log|Γ(x)| = log(π / |sin πx|) − log Γ(1 − x); sin π(x − round x) = ±sin πx, with x − round x exact.
  if (x < 0) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * (x - Math.round(x))))) - lgamma(1 - x);
  if (x < 10) {
    // lgamma(x) = lgamma(2 + t) + shift: Γ(x) = Γ(x + 2) / (x(x + 1)) below ½, Γ(x + 1) / x below 1.5,
    // and (x − 1)(x − 2)…(y) Γ(y) with y in [1.5, 2.5) above (each y − 1 is exact).
    let t = x;
    let shift = 0;
    if (x < 0.5) shift = -(Math.log(x) + Math.log1p(x));
    else if (x < 1.5) {
      t = x - 1;
      shift = -Math.log1p(t);
    } else {
      let p = 1;
      while (t >= 2.5) {
        t -= 1;
        p *= t;
      }
      shift = Math.log(p);
      t -= 2;
    }
    return t * horner(LGAMMA_AT_2, t) + shift;
  }
  const z = 1 / (x * x);
  return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + horner(STIRLING, z) / x;
}

/** ψ(x) = d/dx log|Γ(x)|. */
export function digamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  if (x === 0) return 1 / x > 0 ? -Infinity : Infinity;
  if (x < 0) {
    if (x === Math.floor(x)) return NaN;
    // ψ(x) = ψ(1 − x) − π cot πx, and cot has period 1.
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * (x - Math.round(x)));
  }
  const d = x - X0_HI;
  if (Math.abs(d) < 0.25) {
    const t = d - X0_LO;
    return t * horner(DIGAMMA_AT_ROOT, t);
  }
  let s = 0;
  let y = x;
  while (y < 10) {
    s -= 1 / y;
    y += 1;
  }
  const z = 1 / (y * y);
  return s + (Math.log(y) - 0.5 / y - z * horner(DIGAMMA_ASYMPTOTIC, z));
}

/** ψ′(x) = d²/dx² log|Γ(x)|. */
export function trigamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0 && x === Math.floor(x)) return Infinity;
  if (x < 0) {
    // ψ′(x) + ψ′(1 − x) = π² / sin² πx
    const s = Math.sin(Math.PI * (x - Math.round(x)));
    return (Math.PI * Math.PI) / (s * s) - trigamma(1 - x);
  }
  let s = 0;
  let y = x;
  while (y < 10) {
    s += 1 / (y * y);
    y += 1;
  }
  const z = 1 / (y * y);
  return s + (1 / y + 0.5 * z + (z / y) * horner(TRIGAMMA_ASYMPTOTIC, z));
}

/**
 * ψ⁽ⁿ⁾(x) for a whole n ≥ 1 (NaN otherwise): (−1)ⁿ⁺¹ n! ζ(n + 1, x) for x > 0,
 * the n-th derivative of the reflection formula for x < 0.
 */
export function polygamma(n: number, x: number): number {
  if (!(Number.isInteger(n) && n >= 1) || Number.isNaN(x) || x === -Infinity) return NaN;
  const sign = n % 2 === 1 ? 1 : -1;
  if (x === Infinity) return 0;
  if (x <= 0 && x === Math.floor(x)) return sign * Infinity;
  if (x < 0) {
    // (−1)ⁿ ψ⁽ⁿ⁾(1 − x) − ψ⁽ⁿ⁾(x) = dⁿ/dxⁿ π cot πx = πⁿ⁺¹ Pₙ(cot πx), with P₀(c) = c and Pₖ₊₁ = −(1 + c²) Pₖ′.
    let p = [0, 1];
    for (let k = 0; k < n; k++) {
      const q = new Array<number>(p.length + 1).fill(0);
      for (let i = 1; i < p.length; i++) {
        q[i - 1]! -= i * p[i]!;
        q[i + 1]! -= i * p[i]!;
      }
      p = q;
    }
    const c = 1 / Math.tan(Math.PI * (x - Math.round(x)));
    let v = 0;
    for (let i = p.length - 1; i >= 0; i--) v = v * c + p[i]!;
    return -sign * polygamma(n, 1 - x) - Math.pow(Math.PI, n + 1) * v;
  }
  // Σ_{y < n + 10} y^-(n+1) by the recurrence, then ζ(n + 1, y) ~ y^-(n+1) (y/n + ½ + Σⱼ B₂ⱼ/(2j)! (n+1)(n+2)…(n+2j−1) y^(1−2j)).
  const m = n + 1;
  let s = 0;
  let y = x;
  while (y < n + 10) {
    s += Math.pow(y, -m);
    y += 1;
  }
  const w = 1 / (y * y);
  let rising = m;
  let power = 1 / y;
  let tail = y / n + 0.5;
  for (let j = 0; j < ZETA_TAIL.length; j++) {
    tail += ZETA_TAIL[j]! * rising * power;
    rising *= (m + 2 * j + 1) * (m + 2 * j + 2);
    power *= w;
  }
  let factorial = 1;
  for (let k = 2; k <= n; k++) factorial *= k;
  return sign * factorial * (s + Math.pow(y, -m) * tail);
}

/** The emitted definitions: the functions above, word for word, with their tables written out as Horner polynomials. */
export const GAMMA_HELPER_SOURCE = {
  lgamma: `function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity || x === -Infinity || (x <= 0 && x === Math.floor(x))) return Infinity;
  if (x < 0) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * (x - Math.round(x))))) - lgamma(1 - x);
  if (x < 10) {
    let t = x;
    let shift = 0;
    if (x < 0.5) shift = -(Math.log(x) + Math.log1p(x));
    else if (x < 1.5) {
      t = x - 1;
      shift = -Math.log1p(t);
    } else {
      let p = 1;
      while (t >= 2.5) {
        t -= 1;
        p *= t;
      }
      shift = Math.log(p);
      t -= 2;
    }
    return t * (${hornerText(LGAMMA_AT_2, 't')}) + shift;
  }
  const z = 1 / (x * x);
  return (x - 0.5) * Math.log(x) - x + ${LOG_SQRT_2PI} + (${hornerText(STIRLING, 'z')}) / x;
}`,
  digamma: `function digamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  if (x === 0) return 1 / x > 0 ? -Infinity : Infinity;
  if (x < 0) {
    if (x === Math.floor(x)) return NaN;
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * (x - Math.round(x)));
  }
  const d = x - ${X0_HI};
  if (Math.abs(d) < 0.25) {
    const t = d - ${X0_LO};
    return t * (${hornerText(DIGAMMA_AT_ROOT, 't')});
  }
  let s = 0;
  let y = x;
  while (y < 10) {
    s -= 1 / y;
    y += 1;
  }
  const z = 1 / (y * y);
  return s + (Math.log(y) - 0.5 / y - z * (${hornerText(DIGAMMA_ASYMPTOTIC, 'z')}));
}`,
  trigamma: `function trigamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0 && x === Math.floor(x)) return Infinity;
  if (x < 0) {
    const s = Math.sin(Math.PI * (x - Math.round(x)));
    return (Math.PI * Math.PI) / (s * s) - trigamma(1 - x);
  }
  let s = 0;
  let y = x;
  while (y < 10) {
    s += 1 / (y * y);
    y += 1;
  }
  const z = 1 / (y * y);
  return s + (1 / y + 0.5 * z + (z / y) * (${hornerText(TRIGAMMA_ASYMPTOTIC, 'z')}));
}`,
  polygamma: `function polygamma(n: number, x: number): number {
  if (!(Number.isInteger(n) && n >= 1) || Number.isNaN(x) || x === -Infinity) return NaN;
  const sign = n % 2 === 1 ? 1 : -1;
  if (x === Infinity) return 0;
  if (x <= 0 && x === Math.floor(x)) return sign * Infinity;
  if (x < 0) {
    let p = [0, 1];
    for (let k = 0; k < n; k++) {
      const q = new Array<number>(p.length + 1).fill(0);
      for (let i = 1; i < p.length; i++) {
        q[i - 1] -= i * p[i];
        q[i + 1] -= i * p[i];
      }
      p = q;
    }
    const c = 1 / Math.tan(Math.PI * (x - Math.round(x)));
    let v = 0;
    for (let i = p.length - 1; i >= 0; i--) v = v * c + p[i];
    return -sign * polygamma(n, 1 - x) - Math.pow(Math.PI, n + 1) * v;
  }
  const m = n + 1;
  let s = 0;
  let y = x;
  while (y < n + 10) {
    s += Math.pow(y, -m);
    y += 1;
  }
  const w = 1 / (y * y);
  const tailCoefficients = [${ZETA_TAIL.join(', ')}];
  let rising = m;
  let power = 1 / y;
  let tail = y / n + 0.5;
  for (let j = 0; j < tailCoefficients.length; j++) {
    tail += tailCoefficients[j] * rising * power;
    rising *= (m + 2 * j + 1) * (m + 2 * j + 2);
    power *= w;
  }
  let factorial = 1;
  for (let k = 2; k <= n; k++) factorial *= k;
  return sign * factorial * (s + Math.pow(y, -m) * tail);
}`,
} as const;
