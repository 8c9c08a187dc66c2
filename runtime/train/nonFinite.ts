// Non-finite training steps, found at the step they appear: a NaN or ±Infinity loss or
// gradient element is named by step, epoch, batch, parameter block and element, and —
// when the trainer was given a check-finite build of the model (`diagnose`) — by the
// model-file line that computed the first non-finite value. PyTorch's detect_anomaly
// names the backward op; a model file lets us name the line the user wrote.
import { firstNonFinite } from './stateSchemas.ts';

/** What the trainer does when a step's loss or gradient is NaN or ±Infinity. */
export type NonFiniteMode = 'stop' | 'skip' | 'ignore';

/** A generated module's `<f>Layout` constant: where each parameter block lives in the flat vector. */
export interface ParameterLayout {
  readonly params: readonly { readonly name: string; readonly offset: number; readonly size: number; readonly shape?: readonly number[] }[];
}

/**
 * Where a check-finite build (gradc compile --check-finite) found the first
 * non-finite value: the error its kernels throw carries this as `nonFinite`.
 */
export interface ModelOrigin {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** The model line's text. */
  readonly text: string;
  /** 'value' for the function's own computation, 'derivative' for derivative code (an adjoint, a tangent) of that line. */
  readonly part: string;
  /** The generated kernel that computed it. */
  readonly kernel: string;
  /** The non-finite value. */
  readonly value: number;
}

export interface NonFiniteFinding {
  /** 'loss' when the loss is not finite (whatever the gradient), else 'gradient'. */
  readonly quantity: 'loss' | 'gradient';
  readonly loss: number;
  /** Flat index of the first non-finite gradient element, or −1 when the gradient is finite. */
  readonly index: number;
  /** That element, or NaN when there is none. */
  readonly value: number;
}

/** What of a step is not finite; null when the loss and every gradient element are. One pass over `grad`. */
export function findNonFinite(loss: number, grad: Float64Array): NonFiniteFinding | null {
  const index = firstNonFinite(grad);
  // x − x is NaN exactly for NaN and ±Infinity.
  const lossFinite = loss - loss === 0;
  if (lossFinite && index < 0) return null;
  return { quantity: lossFinite ? 'gradient' : 'loss', loss, index, value: index < 0 ? NaN : grad[index]! };
}

/** The parameter block holding flat index `index`, and the index within it; null without a layout. */
export function blockOf(layout: ParameterLayout | undefined, index: number): { readonly name: string; readonly element: number } | null {
  if (layout === undefined || index < 0) return null;
  const block = layout.params.find((p) => index >= p.offset && index < p.offset + p.size);
  return block === undefined ? null : { name: block.name, element: index - block.offset };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/** The origin a check-finite kernel attached to the error it threw, or null for any other error. */
export function modelOriginOf(error: unknown): ModelOrigin | null {
  if (!isRecord(error) || !isRecord(error['nonFinite'])) return null;
  const o = error['nonFinite'];
  const str = (k: string): string | null => (typeof o[k] === 'string' ? (o[k] as string) : null);
  const num = (k: string): number | null => (typeof o[k] === 'number' ? (o[k] as number) : null);
  const [file, text, part, kernel] = [str('file'), str('text'), str('part'), str('kernel')];
  const [line, column, value] = [num('line'), num('column'), num('value')];
  if (file === null || text === null || part === null || kernel === null || line === null || column === null || value === null) return null;
  return { file, line, column, text, part, kernel, value };
}

/** Where the bad step was. */
export interface StepPlace {
  /** 1-based count of steps attempted (taken + skipped), this one included. */
  readonly step: number;
  /** 1-based. */
  readonly epoch: number;
  /** 1-based position of the step's first unit (batch × window) in the epoch. */
  readonly batch: number;
}

/** What the check-finite re-run of the step found. */
export type Diagnosis =
  /** No kernel of a generated model-file module ran in the step. */
  | { readonly kind: 'none' }
  /** diagnose: false. */
  | { readonly kind: 'off' }
  | { readonly kind: 'found'; readonly origin: ModelOrigin }
  /** The checked build ran through without finding a non-finite value (e.g. it came from the glue around the model). */
  | { readonly kind: 'clean' }
  /** The checked build threw something else. */
  | { readonly kind: 'failed'; readonly message: string };

/** A training step whose loss or gradient was NaN or ±Infinity, with everything known about where it came from. */
export class NonFiniteError extends Error {
  override readonly name = 'NonFiniteError';
  readonly step: number;
  readonly epoch: number;
  readonly batch: number;
  readonly quantity: 'loss' | 'gradient';
  readonly loss: number;
  /** Flat index of the first non-finite gradient element; −1 when the gradient is finite. */
  readonly index: number;
  /** That element (NaN when there is none). */
  readonly value: number;
  /** The parameter block of that element (needs the trainer's `layout`), or null. */
  readonly parameter: string | null;
  /** The element's index within its block, or −1. */
  readonly element: number;
  /** The model line that computed the first non-finite value (needs the trainer's `diagnose`), or null. */
  readonly origin: ModelOrigin | null;

  constructor(place: StepPlace, finding: NonFiniteFinding, layout: ParameterLayout | undefined, diagnosis: Diagnosis) {
    const block = blockOf(layout, finding.index);
    super(describe(place, finding, block, diagnosis));
    this.step = place.step;
    this.epoch = place.epoch;
    this.batch = place.batch;
    this.quantity = finding.quantity;
    this.loss = finding.loss;
    this.value = finding.value;
    this.index = finding.index;
    this.parameter = block?.name ?? null;
    this.element = block?.element ?? -1;
    this.origin = diagnosis.kind === 'found' ? diagnosis.origin : null;
  }
}

function describe(place: StepPlace, f: NonFiniteFinding, block: ReturnType<typeof blockOf>, d: Diagnosis): string {
  const where = `step ${place.step} (epoch ${place.epoch}, batch ${place.batch})`;
  const loss = f.quantity === 'loss' ? `the loss is ${f.loss}` : '';
  let grad = '';
  if (block !== null) grad = `the gradient is not finite: ${f.value} at element ${block.element} of parameter '${block.name}' (flat index ${f.index})`;
  else if (f.index >= 0) grad = `the gradient is not finite: ${f.value} at flat index ${f.index} (pass the model's layout to name the parameter)`;
  const what = [loss, grad].filter((t) => t !== '').join(' and ');
  return [`Non-finite training at ${where}: ${what}; the parameters are left as they were before this step.`, diagnosisText(d)].filter((t) => t !== '').join(' ');
}

function diagnosisText(d: Diagnosis): string {
  switch (d.kind) {
    case 'found': {
      const o = d.origin;
      const part = o.part === 'value' ? 'computed by' : 'in the derivative of';
      return `The first non-finite value (${o.value}) was ${part} ${o.file}:${o.line}:${o.column}  ${o.text}  (kernel ${o.kernel}).`;
    }
    case 'clean':
      return 'A check-finite build of the model computed this step without a non-finite value, so it came from outside the model kernels (the loss glue or the data).';
    case 'failed':
      return `Re-running the step with the check-finite build failed: ${d.message}`;
    case 'none':
      return 'No kernel generated from a model file ran in this step, so no model line can be named (pass diagnose, the same loss over a module compiled with --check-finite).';
    case 'off':
      return '';
  }
}
