/**
 * `plot.lossCallback()`: a live loss figure that grows in place while a model trains. It works
 * as a tfjs callback (`model.fit(…, {callbacks: [cb]})`, and any fit that passes callbacks on)
 * and in custom loops through `push(logs)` / `pushBatch(logs)` / `end()`. In the graft kernel
 * it shows one output (display_data with a display id) and replaces it with
 * update_display_data carrying the full bundle, at most every `throttleMs` plus a final one
 * at the end. Updates never carry plotly.js; the library goes out with the first display as an
 * output of its own (see `shipPlotlyLibrary`), so the saved notebook holds it even though the
 * plot's output is replaced.
 * Outside the kernel nothing is shown; `figure()` returns the figure at any time.
 */
import * as tf from "@tensorflow/tfjs";
import { kernelBridge } from "../display/bridge";
import type { Figure } from "./figure";
import { shipPlotlyLibrary } from "./html";
import { numericLogs, type TrainingLog } from "./_history";
import { loss, type LossOptions } from "./loss";

/** Options of `plot.lossCallback`. */
export interface LossCallbackOptions extends LossOptions {
  /** Least time between two updates in ms (default 250: at most 4 a second). */
  throttleMs?: number;
}

let instances = 0;

/** The tfjs hooks, bound to the instance: tfjs's CustomCallback calls them detached. */
const HOOKS = ["setParams", "setModel", "onTrainBegin", "onEpochBegin", "onBatchBegin", "onBatchEnd", "onEpochEnd", "onTrainEnd"] as const;

/**
 * The live loss figure's state and tfjs callback hooks. A real `tf.Callback`, so tfjs (and
 * graft.fit) take it as a callback instance, alone or mixed with built-in and custom ones.
 * @example
 * const schedule = graft.unfreezeSchedule(model, { 3: -2 });
 * const live = plot.lossCallback({ schedule });
 * await model.fit(xs, ys, { epochs: 5, validationSplit: 0.2, callbacks: [live, schedule] });
 * // a custom loop: one pushBatch per step, one push per epoch, end() at the end
 * const custom = plot.lossCallback();
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   for (let step = 0; step < 10; step++) custom.pushBatch({ loss: 1 / (1 + epoch * 10 + step) });
 *   custom.push({ loss: 1 / (1 + epoch * 10), val_loss: 1.2 / (1 + epoch * 10) });
 * }
 * custom.end();
 */
export class LossCallback extends tf.Callback {
  /** Everything recorded so far (epochs 0-based, across fits). */
  readonly log: TrainingLog = { epochNumbers: [], epochs: [], batches: [] };
  /** The display id of the current output. */
  displayId = "";
  /** How many display messages went to the kernel (first display + updates). */
  sent = 0;
  private opts: LossCallbackOptions;
  private shown = false;
  private ended = false;
  private lastSent = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private epochOffset = 0;
  private currentEpoch = 0;
  private batchInEpoch = 0;
  private buildMs = 0;
  private readonly userEpochs: number | undefined;

  constructor(opts: LossCallbackOptions = {}) {
    super();
    this.opts = { ...opts };
    this.userEpochs = opts.epochs;
    this.newDisplayId();
    const self = this as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const hook of HOOKS) self[hook] = self[hook].bind(this);
  }

  /** The figure as it stands. */
  figure(): Figure {
    return loss(this.log, this.opts);
  }

  // tfjs hooks -------------------------------------------------------------------------------
  /** tfjs `BaseCallback` protocol (used when mixed with built-in callbacks). */
  override setParams(params: tf.CustomCallbackArgs | Record<string, unknown>): void {
    this.beginFit();
    const epochs = (params as { epochs?: unknown })?.epochs;
    if (typeof epochs === "number" && this.userEpochs === undefined) this.opts.epochs = this.epochOffset + epochs;
  }

  override async onTrainBegin(): Promise<void> {
    this.beginFit();
    this.update(true);
  }
  override async onEpochBegin(epoch: number): Promise<void> {
    this.currentEpoch = this.epochOffset + epoch;
    this.batchInEpoch = 0;
  }
  override async onBatchEnd(batch: number, logs?: tf.Logs | Record<string, unknown>): Promise<void> {
    this.log.batches.push({ epoch: this.currentEpoch, batch, logs: numericLogs(logs) });
    this.batchInEpoch = batch + 1;
    this.update();
  }
  override async onEpochEnd(epoch: number, logs?: tf.Logs | Record<string, unknown>): Promise<void> {
    this.log.epochNumbers.push(this.epochOffset + epoch);
    this.log.epochs.push(numericLogs(logs));
    this.currentEpoch = this.epochOffset + epoch + 1;
    this.batchInEpoch = 0;
    this.update();
  }
  override async onTrainEnd(): Promise<void> {
    this.end();
  }

  // custom loops ------------------------------------------------------------------------------
  /** Records one batch's logs (`{loss: 0.42}`) of the current epoch. */
  pushBatch(logs: Record<string, unknown>): void {
    if (this.ended) void this.onTrainBegin();
    this.log.batches.push({ epoch: this.currentEpoch, batch: this.batchInEpoch, logs: numericLogs(logs) });
    this.batchInEpoch++;
    this.update();
  }

  /** Records one epoch's logs (`{loss, val_loss, acc}`); the epoch number defaults to the next. */
  push(logs: Record<string, unknown>, epoch?: number): void {
    if (this.ended) void this.onTrainBegin();
    const e = epoch ?? this.currentEpoch;
    this.log.epochNumbers.push(e);
    this.log.epochs.push(numericLogs(logs));
    this.currentEpoch = e + 1;
    this.batchInEpoch = 0;
    this.update();
  }

  /** Sends the final update now (called by tfjs at train end; call it after a custom loop). */
  end(): void {
    this.clearTimer();
    this.ended = true;
    this.send();
  }

  // display -----------------------------------------------------------------------------------
  /** After an ended fit: a second fit continues the epoch axis and shows in its own output. */
  private beginFit(): void {
    if (!this.ended) return;
    this.epochOffset = this.log.epochNumbers.length ? this.log.epochNumbers[this.log.epochNumbers.length - 1] + 1 : 0;
    this.currentEpoch = this.epochOffset;
    this.opts.epochs = this.userEpochs;
    this.ended = false;
    this.shown = false;
    this.newDisplayId();
  }

  private newDisplayId(): void {
    this.displayId = `graft-loss-${process.pid}-${++instances}-${Date.now().toString(36)}`;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends now if the last message is older than the throttle, else once the throttle allows. */
  private update(force = false): void {
    if (!kernelBridge()) return;
    // At most one update per throttle period, and never more than ~20% of the time building them.
    const period = Math.max(this.opts.throttleMs ?? 250, 4 * this.buildMs);
    const wait = this.lastSent + period - Date.now();
    if (force || wait <= 0) {
      this.clearTimer();
      this.send();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => { this.timer = undefined; this.send(); }, wait);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  private send(): void {
    const bridge = kernelBridge();
    if (!bridge) return;
    if (!this.shown) shipPlotlyLibrary();
    const started = performance.now();
    const data = this.figure().toMimeBundle({ plotly: "none" });
    this.buildMs = performance.now() - started;
    bridge.display({ data, metadata: {}, id: this.displayId, update: this.shown });
    this.shown = true;
    this.sent++;
    this.lastSent = Date.now();
  }
}

/**
 * A live loss figure for `model.fit`, `graft.fit` or a custom loop.
 * @example
 * await model.fit(xs, ys, { epochs: 5, validationSplit: 0.2, callbacks: [plot.lossCallback()] });
 */
export function lossCallback(opts: LossCallbackOptions = {}): LossCallback {
  return new LossCallback(opts);
}
