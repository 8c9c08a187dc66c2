// The range checks that optimizers' constructors and parameter-group writes share.

/** Throws a RangeError with `message` unless `ok`. */
export function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

/** Throws the constructor's RangeError unless `lr` is a number >= 0. */
export function checkLr(lr: number): void {
  check(lr >= 0, `Invalid learning rate: ${lr}; it must be a number >= 0.`);
}
