/**
 * The generated module for a model file: for each exported model function,
 * its flat layout with pack/unpack, the named API (value, gradient, JVP, HVP),
 * the flat-vector variants optimizers call, and the kernels behind them. Self
 * contained (no imports), strict-mode clean, with explicit types on every
 * export (so `.d.ts` files come from isolated declarations), and
 * byte-identical for identical input.
 */
import { layoutBlocks, layoutDims } from '../ir/parameterLayout.ts';
import type { LayoutBlock } from '../ir/parameterLayout.ts';
import { deriveFunction } from '../autodiff/derive.ts';
import { DEFAULT_EMIT } from './emitSpec.ts';
import type { ModuleKind } from './emitSpec.ts';
import type { DeriveOptions, DerivativeKind, FunctionDerivatives } from '../autodiff/derive.ts';
import { emitKernels, generatedHeader } from '../emit/emitModule.ts';
import { FINITE_TWIN_NAMES, TWIN_KERNELS_NAME, finiteTwinSource, twinKernelsSource } from '../emit/finiteTwin.ts';
import { comment, identifier } from '../emit/safeText.ts';
import type { KernelSpec } from '../emit/emitModule.ts';
import { symbolsOf } from '../emit/loops/dims.ts';
import { isTensorKernel, kernelRoots } from '../emit/loops/tensorKernel.ts';
import { SourceError } from '../errors.ts';
import { topoSort } from '../ir/program.ts';
import type { ModuleIR, FunctionIR } from '../ir/function.ts';
import { VERSION } from '../version.ts';
import type { FunctionContext, KernelInfo } from './context.ts';
import { flatSection } from './flatApi.ts';
import { layoutSection, needsViewsFor, viewSection } from './layout.ts';
import { namedApiSection } from './namedApi.ts';
import { generatedNames, workspaceNames } from './names.ts';
import type { GeneratedNames, KernelKind } from './names.ts';
import { planSizes } from './sizes.ts';
import { SUPPORT_DEPENDENCIES, SUPPORT_SOURCE } from './support.ts';
import { healthStats } from '../emit/healthStats.ts';
import type { HealthStats } from '../emit/healthStats.ts';
import { checkHealthBuildOptions, saturationOf } from '../emit/healthOption.ts';
import type { HealthBuildOptions } from '../emit/healthOption.ts';
import { HEALTH_TYPE, HEALTH_TYPE_SOURCE, healthNames, healthSection } from './healthSection.ts';
import type { SupportName } from './support.ts';

export interface EmitModelModuleOptions extends DeriveOptions {
  /**
   * Emit a finiteness check after every value and derivative the kernels compute,
   * throwing at the first NaN or ±Infinity with the model line it came from (a
   * diagnostic build: slower, nothing fused). Default false: the module is unchanged.
   */
  readonly checkFinite?: boolean;
  /**
   * Which functions the module carries for each model function (default DEFAULT_EMIT). A kind that
   * does not apply to a function is skipped (a gradient of a tensor output, a VJP of a scalar one, a
   * Gauss-Newton product of a function that is not a convex loss of its outputs). `flat` brings what
   * its members call: the gradient of a scalar function (a FlatGradient: value and objective), with JVP
   * and HVP too when any curvature kind is asked (a FlatObjective); the JVP of a tensor one.
   */
  readonly emit?: readonly ModuleKind[];
  /**
   * Start each kernel with the hook that hands the call to a checkFinite twin while the runtime
   * diagnoses a step (finiteTwin.ts). Default true for model files; modules compiled in memory from
   * expressions or IR have no model file to rebuild and pass false.
   */
  readonly twin?: boolean;
  /** Export the kernels (unchecked, positional) besides the named API: for modules loaded in memory by the façades. Default false. */
  readonly exportKernels?: boolean;
  /**
   * A --health build: the value-and-gradient kernel also measures saturated tanh/sigmoid units, dead
   * ReLUs and loops' ‖∂L/∂h_t‖ (emit/healthStats.ts), read with `fHealth()` (healthSection.ts). true for
   * the default saturation threshold. Default false: the module is unchanged.
   */
  readonly health?: boolean | HealthBuildOptions;
}

const CHECKED_NOTE = '// A checkFinite build: every value is tested for NaN and ±Infinity and the first names its model line (diagnostic, slower).';

const displayPath = (path: string): string => path.replace(/\\/g, '/').replace(/\s*\n\s*/g, ' ');

/** The derivative kinds to build for `fn`, from the kinds asked of the module. */
export function derivativesFor(fn: FunctionIR, emit: ReadonlySet<ModuleKind>): Set<DerivativeKind> {
  const scalarOut = fn.output.shape.length === 0;
  const want = new Set<DerivativeKind>(['value']);
  if (fn.wrt.length === 0) return want;
  const flat = emit.has('flat');
  if (scalarOut) {
    // Flat variants with any curvature member are a whole FlatObjective (JVP, HVP and the dense Hessian from HVPs).
    const curvature = flat && (['jvp', 'hvp', 'ggnvp', 'hessian'] as const).some((k) => emit.has(k));
    if (emit.has('gradient') || flat) want.add('gradient');
    if (emit.has('jvp') || curvature) want.add('jvp');
    if (emit.has('hvp') || curvature) want.add('hvp');
    if (emit.has('ggnvp') && fn.gaussNewton !== undefined) want.add('ggnvp');
    if (emit.has('hessian')) want.add('hessian');
  } else {
    // The dense Jacobian takes one JVP per column or one VJP per row, whichever is fewer at the call's sizes.
    if (emit.has('jvp') || flat || emit.has('jacobian')) want.add('jvp');
    if (emit.has('vjp') || emit.has('jacobian')) want.add('vjp');
  }
  return want;
}

interface SpecOptions {
  readonly checkFinite: boolean;
  readonly twin: boolean;
  readonly exportKernels: boolean;
  /** The --health statistics of the value-and-gradient kernel, or null. */
  readonly health: HealthStats | null;
}

function kernelSpecs(d: FunctionDerivatives, names: GeneratedNames, o: SpecOptions): Map<KernelKind, KernelSpec> {
  const { fn } = d;
  const scalarOut = fn.output.shape.length === 0;
  const withTangents = [...fn.params, ...d.tangents];
  const doc = (of: string) => comment(`The kernel of \`${of}\`: sizes passed explicitly, arguments unchecked.`);
  const out = identifier('out');
  const specs = new Map<KernelKind, KernelSpec>();
  const checks = o.checkFinite ? { checks: { primal: new Set(topoSort([d.value])), fallback: fn.origin } } : {};
  // A plain model-file build hands each kernel call to its checkFinite twin while the runtime diagnoses a step.
  const base = { exported: o.exportKernels, ...checks, ...(o.twin && !o.checkFinite ? { twin: true } : {}) };
  const perParam = (what: (p: string) => string) => fn.wrt.map((p) => comment(what(p.name)));
  specs.set('value', {
    ...base,
    name: names.kernel('value'),
    doc: doc(names.value),
    params: fn.params,
    ...(scalarOut ? { returns: d.value } : { writes: { param: out, nodes: [d.value], labels: [comment(fn.name)] } }),
  });
  if (d.gradient !== null) {
    specs.set('valueAndGradient', {
      ...base,
      name: names.kernel('valueAndGradient'),
      doc: doc(names.valueAndGradient),
      params: fn.params,
      returns: d.value,
      writes: { param: identifier('gradOut'), nodes: d.gradient, labels: perParam((p) => `∂${fn.name}/∂${p}`) },
      ...(o.health === null ? {} : { health: { nodes: o.health.nodes, target: healthNames(fn.name).values } }),
    });
  }
  if (d.jvp !== null) {
    specs.set('jvp', {
      ...base,
      name: names.kernel('jvp'),
      doc: doc(names.jvp),
      params: withTangents,
      ...(scalarOut ? { returns: d.jvp } : { writes: { param: out, nodes: [d.jvp], labels: [comment(`J·v of ${fn.name}`)] } }),
    });
  }
  if (d.vjp !== null && d.cotangent !== null) {
    specs.set('vjp', {
      ...base,
      name: names.kernel('vjp'),
      doc: doc(names.vjp),
      params: [...fn.params, d.cotangent],
      writes: { param: out, nodes: d.vjp, labels: perParam((p) => `(uᵀJ) along ${p}`) },
    });
  }
  if (d.hvp !== null) {
    specs.set('hvp', {
      ...base,
      name: names.kernel('hvp'),
      doc: doc(names.hvp),
      params: withTangents,
      writes: { param: out, nodes: d.hvp, labels: perParam((p) => `(H·v) along ${p}`) },
    });
  }
  if (d.ggnvp !== null) {
    specs.set('ggnvp', {
      ...base,
      name: names.kernel('ggnvp'),
      doc: doc(names.ggnvp),
      params: withTangents,
      writes: { param: out, nodes: d.ggnvp, labels: perParam((p) => `(G·v) along ${p}`) },
    });
  }
  if (d.hessian !== null) {
    const wrt = fn.wrt.map((p) => p.name);
    specs.set('hessian', {
      ...base,
      name: names.kernel('hessian'),
      doc: doc(names.hessian),
      params: fn.params,
      writes: {
        param: out,
        nodes: d.hessian.flat(),
        labels: wrt.flatMap((a) => wrt.map((b) => comment(a === b ? `∂²${fn.name}/∂${a}²` : `∂²${fn.name}/∂${a}∂${b}`))),
      },
    });
  }
  return specs;
}

/** The named sizes a kernel takes after its arguments, in the tensor emitter's order. */
function kernelSizes(k: KernelSpec): string[] {
  if (!isTensorKernel(k)) return [];
  return symbolsOf([...k.params.map((p) => p.shape), ...topoSort(kernelRoots(k)).map((n) => n.shape)]);
}

function errorAt(fn: FunctionIR, message: string, hint?: string): SourceError {
  const { file, line, column, text } = fn.origin;
  return new SourceError(message, { file: displayPath(file), line, column }, text, hint);
}

interface Planned {
  readonly d: FunctionDerivatives;
  readonly names: GeneratedNames;
  readonly layout: readonly LayoutBlock[];
  readonly specs: Map<KernelKind, KernelSpec>;
  /** Whether the flat-vector variants are emitted. */
  readonly flat: boolean;
  /** A named dense Hessian asked of tensor parameters: built from Hessian-vector products. */
  readonly hessianFromHvp: boolean;
  /** The dense Jacobian of a tensor output, from its JVP and VJP kernels. */
  readonly jacobian: boolean;
  /** The --health statistics of its value-and-gradient kernel, or null. */
  readonly health: HealthStats | null;
}

/** Every top-level name the module defines, each once; a clash is the user's to resolve by renaming. */
function claimTopLevel(planned: readonly Planned[], helperNames: readonly string[]): Set<string> {
  const owner = new Map<string, string>();
  for (const name of [...Object.keys(SUPPORT_SOURCE), ...helperNames, ...FINITE_TWIN_NAMES, TWIN_KERNELS_NAME]) owner.set(name, 'gradc support code');
  for (const p of planned) {
    const { fn } = p.d;
    const own: string[] = [p.names.value];
    if (p.layout.length > 0) own.push(p.names.layout, p.names.params, p.names.pack, p.names.unpack);
    if (p.flat) own.push(p.names.flat);
    if (needsViewsFor(fn)) own.push(p.names.views, p.names.viewCache);
    if (p.specs.has('valueAndGradient')) own.push(p.names.valueAndGradient, p.names.gradient);
    if (p.specs.has('jvp')) own.push(p.names.jvp);
    if (p.specs.has('vjp')) own.push(p.names.vjp);
    if (p.specs.has('hvp')) own.push(p.names.hvp);
    if (p.specs.has('ggnvp')) own.push(p.names.ggnvp);
    if (p.specs.has('hessian') || p.hessianFromHvp) own.push(p.names.hessian);
    if (p.jacobian) own.push(p.names.jacobian);
    if (p.health !== null) own.push(healthNames(fn.name).read, healthNames(fn.name).values);
    for (const k of p.specs.values()) own.push(k.name, ...workspaceNames(k.name));
    for (const name of own) {
      const first = owner.get(name);
      if (first !== undefined) {
        throw errorAt(
          fn,
          `the generated module would define '${name}' twice: for '${fn.name}' and for ${first}`,
          `Rename '${fn.name}' (or the other function) so that its generated names (${p.names.valueAndGradient}, ${p.names.jvp}, …) are free.`,
        );
      }
      owner.set(name, `'${fn.name}'`);
    }
  }
  return new Set(owner.keys());
}

/** What the façades bind to, per function: the generated names and how its named API is called. */
export interface EmittedFunction {
  readonly derivatives: FunctionDerivatives;
  readonly names: GeneratedNames;
  readonly layout: readonly LayoutBlock[];
  /** The named sizes the layout depends on; empty when every parameter has literal sizes. */
  readonly layoutDims: readonly string[];
  /** Length of the flat vector when every parameter has literal sizes (else it is `fLayout(sizes).size`). */
  readonly size: number | undefined;
  /** Sizes the named functions take as arguments after the model's (none are inferred from the arguments). */
  readonly explicitSizes: readonly string[];
  /** Sizes the flat variants' factory takes after the data (none are inferred from the data). */
  readonly flatExplicitSizes: readonly string[];
  /** The kernels it has (a named function per kind, `valueAndGradient` also giving `fGradient`). */
  readonly kinds: ReadonlySet<KernelKind>;
  /** Whether `fHessian` exists (symbolic, or from HVPs). */
  readonly hessian: boolean;
  /** Whether `fJacobian` exists (tensor outputs). */
  readonly jacobian: boolean;
  readonly flat: boolean;
}

export interface EmittedModule {
  readonly source: string;
  /** By function name, in the module's order. */
  readonly functions: ReadonlyMap<string, EmittedFunction>;
}

/** The generated module's text for a model file (or any functions): see buildModule. */
export function emitModelModule(file: ModuleIR, options: EmitModelModuleOptions = {}): string {
  return buildModule(file, options).source;
}

/** The one generated-module format, for model files, expressions and IR-built models alike. */
export function buildModule(file: ModuleIR, options: EmitModelModuleOptions = {}): EmittedModule {
  const { checkFinite = false, emit = DEFAULT_EMIT, twin = true, exportKernels = false, health = false, ...derive } = options;
  checkHealthBuildOptions(health);
  const kinds = new Set(emit);
  const planned: Planned[] = file.functions.map((fn) => {
    const layout = layoutBlocks(fn.wrt);
    const d = deriveFunction(fn, derive, derivativesFor(fn, kinds));
    const names = generatedNames(fn.name);
    const stats = health === false || d.gradient === null ? null : healthStats(d.value, d.gradient, fn.origin, health);
    const specs = kernelSpecs(d, names, { checkFinite, twin, exportKernels, health: stats });
    const flat = kinds.has('flat') && layout.length > 0;
    const hessianFromHvp = kinds.has('hessian') && !specs.has('hessian') && specs.has('hvp');
    const jacobian = kinds.has('jacobian') && specs.has('jvp') && specs.has('vjp');
    return { d, names, layout, specs, flat, hessianFromHvp, jacobian, health: stats };
  });
  const allSpecs = planned.flatMap((p) => [...p.specs.values()]);
  const emitted = emitKernels(allSpecs);
  const healthBuild = planned.some((p) => p.health !== null);
  const topLevel = claimTopLevel(planned, [...emitted.helperNames, ...(healthBuild ? [HEALTH_TYPE] : [])]);
  const used = new Set<SupportName>();
  const use = (name: SupportName) => {
    for (const n of [name, ...(SUPPORT_DEPENDENCIES[name] ?? [])]) used.add(n);
    return name;
  };
  let next = 0;
  const functions = new Map<string, EmittedFunction>();
  const sections = planned.flatMap((p) => {
    const kernels = new Map<KernelKind, KernelInfo>([...p.specs].map(([kind, spec]) => [kind, { spec, sizes: kernelSizes(spec) }]));
    const dims = symbolsOf([...p.d.fn.params.map((x) => x.shape), ...[...kernels.values()].map((k) => k.sizes)]);
    const { origin } = p.d.fn;
    const data = p.d.fn.params.filter((x) => !p.d.fn.wrt.includes(x));
    const ctx: FunctionContext = {
      d: p.d,
      names: p.names,
      layout: p.layout,
      layoutDims: layoutDims(p.d.fn.wrt),
      sizes: planSizes(p.d.fn.params, dims),
      flatSizes: planSizes(data, dims, p.d.fn.params),
      kernels,
      where: `${displayPath(origin.file)}:${origin.line}`,
      topLevel,
      use,
      flat: p.flat,
      hessianFromHvp: p.hessianFromHvp,
      jacobian: p.jacobian,
    };
    functions.set(p.d.fn.name, {
      derivatives: p.d,
      names: p.names,
      layout: p.layout,
      layoutDims: ctx.layoutDims,
      size: ctx.layoutDims.length > 0 ? undefined : p.layout.reduce((n, b) => n + b.shape.reduce<number>((a, d) => a * (d as number), 1), 0),
      explicitSizes: ctx.sizes.explicit,
      flatExplicitSizes: ctx.flatSizes.explicit,
      kinds: new Set(p.specs.keys()),
      hessian: p.specs.has('hessian') || p.hessianFromHvp,
      jacobian: p.jacobian,
      flat: p.flat,
    });
    const kernelTexts = emitted.kernels.slice(next, next + p.specs.size);
    next += p.specs.size;
    const healthText = p.health === null ? [] : [healthSection(healthNames(p.d.fn.name), p.health, saturationOf(health), healthFillers(p))];
    return [...layoutSection(ctx), ...namedApiSection(ctx), ...flatSection(ctx), ...viewSection(ctx), ...healthText, ...kernelTexts];
  });
  const support = (Object.keys(SUPPORT_SOURCE) as SupportName[]).filter((n) => used.has(n));
  const types = support.filter((n) => /^[A-Z]/.test(n));
  const supportFunctions = support.filter((n) => /^[a-z]/.test(n));
  const parts = [
    `${generatedHeader(VERSION, displayPath(file.path))}\n${checkFinite ? `${CHECKED_NOTE}\n` : ''}/* eslint-disable */`,
    ...types.map((n) => SUPPORT_SOURCE[n]),
    ...(healthBuild ? [HEALTH_TYPE_SOURCE] : []),
    ...sections,
    ...supportFunctions.map((n) => SUPPORT_SOURCE[n]),
    ...emitted.helpers,
    ...(checkFinite ? [twinKernelsSource(allSpecs.map((k) => k.name))] : twin ? [finiteTwinSource(displayPath(file.path))] : []),
  ];
  return { source: `${parts.join('\n\n')}\n`, functions };
}


/** The public functions whose calls fill a function's health buffer, for fHealth's doc. */
const healthFillers = (p: Planned): string => [p.names.valueAndGradient, p.names.gradient, ...(p.flat ? [`${p.names.flat}(…).objective`] : [])].join(', ');
