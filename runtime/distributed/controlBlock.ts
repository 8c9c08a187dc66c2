// The words of shared memory through which the coordinator hands a worker thread its
// next job. The coordinator writes the job's fields, then bumps SEQ and notifies;
// the worker sleeps in Atomics.wait on SEQ. Atomics order the plain writes before
// them (the job's indices and the parameters) for the worker that sees the new SEQ.

export const SEQ = 0;
export const COMMAND = 1;
export const SLOT = 2;
export const LENGTH = 3;
export const JOB = 4;
export const CONTROL_WORDS = 5;

export const COMPUTE = 1;
export const STOP = 2;

/** Posts a command: fields first, then SEQ, so a worker that sees the new SEQ sees them. */
export function postCommand(control: Int32Array, command: number, fields: { slot?: number; length?: number; job?: number } = {}): void {
  control[COMMAND] = command;
  control[SLOT] = fields.slot ?? 0;
  control[LENGTH] = fields.length ?? 0;
  control[JOB] = fields.job ?? 0;
  Atomics.add(control, SEQ, 1);
  Atomics.notify(control, SEQ);
}
