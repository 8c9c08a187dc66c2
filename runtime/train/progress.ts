// Progress output: a live bar (cli-progress) with loss, learning rate and ETA on a
// terminal, and plain lines at fixed points of each epoch otherwise, so CI logs read
// line by line with no carriage returns or escape codes.
import cliProgress from 'cli-progress';

/** Where progress goes: a stream, and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressInfo {
  readonly loss: number;
  readonly lr: number;
  /** Estimated seconds until the whole run ends. */
  readonly etaSeconds: number;
}

export interface Progress {
  epochStart(epoch: number, units: number, position: number): void;
  update(position: number, info: ProgressInfo): void;
  /** Ends the epoch's bar (if any) and prints its summary line. */
  epochEnd(summary: string): void;
  /** Prints a line between epochs (e.g. "early stopping"). */
  note(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  readonly epochs: number;
  /** Plain lines per epoch when not a terminal. Default 4. */
  readonly linesPerEpoch?: number;
}

export function createProgress(stream: ProgressStream, options: ProgressOptions): Progress {
  return stream.isTTY === true ? barProgress(stream, options) : lineProgress(stream, options);
}

/** Progress that prints nothing. */
export const silentProgress: Progress = { epochStart() {}, update() {}, epochEnd() {}, note() {}, stop() {} };

/** m:ss, or h:mm:ss from an hour up. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function formatLoss(x: number): string {
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toFixed(4) : x.toExponential(3);
}

function payload(epoch: number, epochs: number, info: ProgressInfo): Record<string, string> {
  // 'remaining', not 'eta': cli-progress fills its own {eta} token (for the bar, not the run).
  const dash = (x: number, text: string): string => (Number.isNaN(x) ? '…' : text);
  return {
    ep: `${epoch + 1}/${epochs}`,
    loss: dash(info.loss, formatLoss(info.loss)),
    lr: dash(info.lr, info.lr.toExponential(2)),
    remaining: dash(info.etaSeconds, formatDuration(info.etaSeconds)),
  };
}

function barProgress(stream: ProgressStream, options: ProgressOptions): Progress {
  const bar = new cliProgress.SingleBar(
    {
      format: 'epoch {ep} {bar} {value}/{total} | loss {loss} | lr {lr} | ETA {remaining}',
      // cli-progress writes to a TTY stream; the cast is because its type wants a WriteStream.
      stream: stream as NodeJS.WriteStream,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let epoch = 0;
  let running = false;
  const end = (): void => {
    if (running) bar.stop();
    running = false;
  };
  return {
    epochStart(e, units, position) {
      epoch = e;
      bar.start(units, position, payload(e, options.epochs, { loss: NaN, lr: NaN, etaSeconds: NaN }));
      running = true;
    },
    update(position, info) {
      bar.update(position, payload(epoch, options.epochs, info));
    },
    epochEnd(summary) {
      end();
      stream.write(`${summary}\n`);
    },
    note(line) {
      end();
      stream.write(`${line}\n`);
    },
    stop: end,
  };
}

function lineProgress(stream: ProgressStream, options: ProgressOptions): Progress {
  const lines = options.linesPerEpoch ?? 4;
  let epoch = 0;
  let units = 1;
  let next = 0;
  let every = 1;
  return {
    epochStart(e, u, position) {
      epoch = e;
      units = u;
      every = Math.max(1, Math.ceil(u / lines));
      next = (Math.floor(position / every) + 1) * every;
    },
    update(position, info) {
      if (position < next || position >= units) return;
      next += every;
      const p = payload(epoch, options.epochs, info);
      stream.write(`epoch ${p['ep']}  batch ${position}/${units}  loss ${p['loss']}  lr ${p['lr']}  ETA ${p['remaining']}\n`);
    },
    epochEnd(summary) {
      stream.write(`${summary}\n`);
    },
    note(line) {
      stream.write(`${line}\n`);
    },
    stop() {},
  };
}
