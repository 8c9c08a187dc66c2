// The words of shared memory through which the coordinator hands a worker thread its
// next job. The coordinator writes the job's fields, then bumps SEQ and notifies;
// the worker sleeps in Atomics.wait on SEQ. Atomics order the plain writes before
// them (the job's indices and the parameters) for the worker that sees the new SEQ.

export const SEQ = 0;
export const COMMAND = 1;
export const SLOT = 2;
export const LENGTH = 3;
export const JOB = 4;
/** The slot holding the parameters the job reads, or -1 for the shared parameters. */
export const PARAMS = 5;
/** HVP: the slot holding the vector v. */
export const VECTOR = 6;
export const CONTROL_WORDS = 7;

/** The gradient of the shard into SLOT. */
export const COMPUTE = 1;
export const STOP = 2;
/** The Hessian-vector product of the shard's loss with VECTOR into SLOT. */
export const HVP = 3;

export interface CommandFields {
  readonly slot?: number;
  readonly length?: number;
  readonly job?: number;
  readonly params?: number;
  readonly vector?: number;
}

/** Posts a command: fields first, then SEQ, so a worker that sees the new SEQ sees them. */
export function postCommand(control: Int32Array, command: number, fields: CommandFields = {}): void {
  control[COMMAND] = command;
  control[SLOT] = fields.slot ?? 0;
  control[LENGTH] = fields.length ?? 0;
  control[JOB] = fields.job ?? 0;
  control[PARAMS] = fields.params ?? -1;
  control[VECTOR] = fields.vector ?? 0;
  Atomics.add(control, SEQ, 1);
  Atomics.notify(control, SEQ);
}
