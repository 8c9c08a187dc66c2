// A result in the gradients stream: the fields a worker appends and the server reads.
// The tag (generation, job, worker, step) names the result: the server uses a job's
// first result and drops any other, and drops every result of an earlier generation.

export interface ResultTag {
  readonly generation: number;
  readonly job: number;
  readonly worker: number;
  /** The trainer's step (sync) or parameter version (async) the job was for. */
  readonly step: number;
}

export type ResultEntry = ResultTag & (
  | { readonly status: 'done'; readonly loss: number; readonly data: Buffer }
  | { readonly status: 'failed'; readonly message: string }
);

/** The XADD field list of a result; the loss as its 8 bytes, so it arrives bit for bit (−0 and NaN too). */
export function resultFields(r: ResultEntry): (string | Buffer)[] {
  const tag = ['generation', String(r.generation), 'job', String(r.job), 'worker', String(r.worker), 'step', String(r.step)];
  const loss = Buffer.alloc(8);
  if (r.status === 'done') loss.writeDoubleLE(r.loss);
  return r.status === 'done'
    ? [...tag, 'status', 'done', 'loss', loss, 'data', r.data]
    : [...tag, 'status', 'failed', 'message', r.message];
}

export function parseResult(fields: readonly Buffer[]): ResultEntry {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!.toString(), fields[i + 1]!);
  const text = (name: string): string => {
    const v = map.get(name);
    if (v === undefined) throw new Error(`Distributed training over Redis: a result in the stream has no '${name}' field; was it written by runRedisWorker?`);
    return v.toString();
  };
  const tag: ResultTag = { generation: Number(text('generation')), job: Number(text('job')), worker: Number(text('worker')), step: Number(text('step')) };
  if (text('status') === 'failed') return { ...tag, status: 'failed', message: text('message') };
  const loss = map.get('loss');
  if (loss === undefined || loss.length !== 8) throw new Error('Distributed training over Redis: a result in the stream has no 8-byte \'loss\' field; was it written by runRedisWorker?');
  return { ...tag, status: 'done', loss: loss.readDoubleLE(0), data: map.get('data') ?? Buffer.alloc(0) };
}
