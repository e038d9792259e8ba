/**
 * Gradual unfreezing during `fit` (ULMFiT / fastai style).
 *
 * The callback unfreezes at the start of the given epochs (tfjs numbering: the first epoch is 0,
 * as in `onEpochBegin(epoch)` and `History.epoch`). It works inside a running `fit`: tfjs 4.22's
 * training function reads `model.collectedTrainableWeights` at every batch, and `onEpochBegin` is
 * awaited before the epoch's first batch, so graft's refresh of that list (keeping optimizer slots
 * aligned, see `trainable.ts`) takes effect from that epoch's first batch.
 * A frozen BatchNormalization that is unfrozen returns to training mode at the same moment.
 */
import * as tf from "@tensorflow/tfjs";
import { selectLayers, _describe, type Pattern } from "./pattern";
import { unfreeze } from "./freeze";
import { _groups, _groupStart } from "./groups";
import { _setFactors } from "./lr_factors";
import { _assertModel, _ownWeights } from "./_tree";

/** What to unfreeze at one epoch: a {@link Pattern}, or a number `n` = fastai's `freezeTo(n)` groups from `n` on. */
export type UnfreezeStep = Pattern | number;

/** Options of {@link unfreezeSchedule}. */
export interface UnfreezeScheduleOptions {
  /** Learning-rate factor for the layers unfrozen at an epoch, keyed like the schedule: `{ 2: 0.3, 4: 0.1 }`. */
  lrFactors?: Record<number, number>;
  /** Layer groups for numeric steps (patterns); default {@link layerGroups}. */
  groups?: Pattern[];
}

/** One unfreezing that happened: the epoch and the layers unfrozen (plot helpers draw these). */
export interface UnfreezeEvent {
  epoch: number;
  names: string[];
  lrFactor?: number;
}

/**
 * The `model.fit` callback made by {@link unfreezeSchedule}. `events` records what was unfrozen when.
 * @example
 * ```ts
 * const cb = new graft.UnfreezeSchedule(model, { 3: -2 });  // at epoch 3: the last two layer groups
 * await model.fit(x, y, { epochs: 5, callbacks: [cb] });
 * cb.events; // [{ epoch: 3, names: ["layer4.0.conv1", "layer4.0.bn1", …] }]  (layers that were frozen)
 * ```
 */
export class UnfreezeSchedule extends tf.Callback {
  readonly events: UnfreezeEvent[] = [];
  private readonly steps: { epoch: number; step: UnfreezeStep }[];
  private next = 0;
  constructor(readonly target: tf.LayersModel, schedule: Record<number, UnfreezeStep>, readonly options: UnfreezeScheduleOptions = {}) {
    super();
    _assertModel(target, "unfreezeSchedule");
    if (schedule == null || typeof schedule !== "object" || Array.isArray(schedule)) {
      throw new TypeError(`unfreezeSchedule: schedule must be an object from epoch to pattern, like { 2: "layer4.*", 4: "layer3.*" }: got ${Array.isArray(schedule) ? "array" : typeof schedule}`);
    }
    this.steps = Object.entries(schedule).map(([key, step]) => {
      const epoch = Number(key);
      if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`unfreezeSchedule: epochs are integers >= 0 (the first epoch is 0): got "${key}"`);
      return { epoch, step };
    }).sort((a, b) => a.epoch - b.epoch);
    const factors = options.lrFactors ?? {};
    for (const [key, f] of Object.entries(factors)) {
      if (!(Number(key) in schedule)) throw new RangeError(`unfreezeSchedule: lrFactors has epoch ${key}, which the schedule lacks (epochs: ${this.steps.map((s) => s.epoch).join(", ")})`);
      if (typeof f !== "number" || !Number.isFinite(f) || f < 0) throw new RangeError(`unfreezeSchedule: lrFactors[${key}] must be a finite number >= 0: got ${f}`);
    }
    // Check every step now, so a typo fails before training starts rather than at epoch 4.
    for (const s of this.steps) this.resolve(s.step);
  }

  /** The leaf layers a step unfreezes. */
  private resolve(step: UnfreezeStep) {
    if (typeof step === "number") {
      const groups = _groups(this.target, this.options.groups);
      return groups.slice(_groupStart("unfreezeSchedule", step, groups.length)).flatMap((g) => g.nodes);
    }
    return selectLayers(this.target, step, "unfreezeSchedule");
  }

  /** Applies every step due by `epoch` (steps before an `initialEpoch` apply at once). */
  override async onEpochBegin(epoch: number): Promise<void> {
    while (this.next < this.steps.length && this.steps[this.next].epoch <= epoch) {
      const { epoch: at, step } = this.steps[this.next++];
      const nodes = this.resolve(step);
      const names = unfreeze(this.target, (layer) => nodes.some((n) => n.layer === layer));
      const lrFactor = this.options.lrFactors?.[at];
      const optimizer = this.target.optimizer ?? this.model?.optimizer;
      if (lrFactor !== undefined && optimizer) {
        _setFactors(optimizer, nodes.flatMap((n) => _ownWeights(n.layer).trainable), lrFactor);
      }
      this.events.push({ epoch, names, ...(lrFactor !== undefined ? { lrFactor } : {}) });
    }
  }

  /** A readable form of the plan, e.g. `epoch 2: "layer4.*"; epoch 4: "layer3.*"`. */
  override toString(): string {
    return this.steps.map((s) => `epoch ${s.epoch}: ${typeof s.step === "number" ? `groups from ${s.step}` : _describe(s.step)}`).join("; ");
  }
}

/**
 * A `model.fit` callback that unfreezes layers at the start of given epochs, optionally with a
 * learning-rate factor for each newly unfrozen group (discriminative learning rates).
 * @param model the model being trained (the one you froze).
 * @param schedule epoch (0-based) → pattern, or → a number `n` meaning groups from `n` on ({@link freezeTo}).
 * @param opts `lrFactors` keyed by the same epochs; `groups` for numeric steps.
 * @returns the callback; its `events` lists `{ epoch, names }` as they happen.
 * @throws {GraftPatternError} at once when a step's pattern matches no layer.
 * @example
 * ```ts
 * graft.freeze(model, "!fc");
 * const schedule = graft.unfreezeSchedule(model, { 2: "layer4.*", 4: "layer3.*" }, { lrFactors: { 2: 0.3, 4: 0.1 } });
 * await model.fit(x, y, { epochs: 6, callbacks: [schedule] });
 * schedule.events; // [{ epoch: 2, names: [...], lrFactor: 0.3 }, { epoch: 4, ... }]
 * ```
 */
export function unfreezeSchedule(model: tf.LayersModel, schedule: Record<number, UnfreezeStep>, opts?: UnfreezeScheduleOptions): UnfreezeSchedule {
  return new UnfreezeSchedule(model, schedule, opts);
}
