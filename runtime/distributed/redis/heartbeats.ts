// Who joined and who died, from the workers' heartbeat keys: each holds its process's
// nonce while it lives ('left:<nonce>' once it leaves, nothing once it expired).
// Compared with the nonces known, a new nonce is a join (after a death, if another
// process held the id), a vanished one a death with its reason.

export type HeartbeatChange =
  | { readonly kind: 'joined'; readonly worker: number; readonly nonce: string }
  | { readonly kind: 'died'; readonly worker: number; readonly reason: string };

/** The changes from `known` (nonce per worker, null: not live) to the heartbeat `values` read, in worker order. */
export function heartbeatChanges(known: readonly (string | null)[], values: readonly (string | null)[], heartbeatMs: number): HeartbeatChange[] {
  const changes: HeartbeatChange[] = [];
  values.forEach((value, worker) => {
    const left = value !== null && value.startsWith('left:');
    const nonce = value === null || left ? null : value;
    const was = known[worker] ?? null;
    if (was === nonce) return;
    if (was !== null) {
      const reason = nonce !== null ? 'a new process took its id' : left ? 'it left' : `its heartbeat stopped (not renewed for ${heartbeatMs} ms)`;
      changes.push({ kind: 'died', worker, reason });
    }
    if (nonce !== null) changes.push({ kind: 'joined', worker, nonce });
  });
  return changes;
}
