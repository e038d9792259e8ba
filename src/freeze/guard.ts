/**
 * Drift guard: proof that frozen weights did not move. A snapshot copies the bytes of every frozen
 * weight and of the statistics of every frozen BatchNormalization; a check compares them bit for
 * bit (so -0 vs 0 and NaN payloads count as changes) and throws {@link GraftDriftError} naming the
 * layer, the weight and the largest absolute change. Weights unfrozen since the snapshot are not
 * checked (an unfreezing schedule may run in the same fit).
 */
import * as tf from "@tensorflow/tfjs";
import { GraftDriftError } from "./errors";
import { _assertModel, _isFrozenNode, _leaves, _normalize, _ownWeights, _weightName, type LayerNode } from "./_tree";

interface Entry {
  node: LayerNode;
  variable: tf.LayerVariable;
  weight: string;
  bytes: Uint8Array;
}

/** Frozen weights' bytes at one moment; pass to {@link checkFrozen}. */
export interface FrozenSnapshot {
  model: tf.LayersModel;
  /** Full layer name and weight name of each weight held. */
  weights: { layer: string; weight: string }[];
  /** @internal */
  entries: Entry[];
}

function isFrozenWeight(node: LayerNode, w: tf.LayerVariable, nonTrainable: boolean): boolean {
  return _isFrozenNode(node) || (!nonTrainable && !w.trainable);
}

function bytesOf(w: tf.LayerVariable): Uint8Array {
  const data = w.read().dataSync();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

/**
 * Copies every frozen weight of `model`, and the moving statistics of frozen BatchNormalization layers.
 * @example
 * ```ts
 * const snap = graft.snapshotFrozen(model);
 * await model.fit(x, y, { epochs: 1 });
 * graft.checkFrozen(snap); // throws GraftDriftError if anything frozen moved
 * ```
 */
export function snapshotFrozen(model: tf.LayersModel): FrozenSnapshot {
  _assertModel(model, "snapshotFrozen");
  return _snapshot(model, []);
}

/** A snapshot that reuses `keep` (entries already verified) and copies the other frozen weights. */
function _snapshot(model: tf.LayersModel, keep: Entry[]): FrozenSnapshot {
  _normalize(model);
  const kept = new Map(keep.map((e) => [e.variable, e]));
  const entries: Entry[] = [];
  for (const node of _leaves(model)) {
    const own = _ownWeights(node.layer);
    for (const [list, nonTrainable] of [[own.trainable, false], [own.nonTrainable, true]] as const) {
      for (const w of list) {
        if (!isFrozenWeight(node, w, nonTrainable)) continue;
        entries.push(kept.get(w) ?? { node, variable: w, weight: _weightName(w), bytes: bytesOf(w) });
      }
    }
  }
  return { model, entries, weights: entries.map((e) => ({ layer: e.node.path, weight: e.weight })) };
}

function maxAbsChange(before: Uint8Array, w: tf.LayerVariable): { max: number; changed: number } {
  const now = w.read().dataSync();
  const old = new (now.constructor as { new (b: ArrayBuffer): ArrayLike<number> })(before.buffer as ArrayBuffer);
  let max = 0;
  let changed = 0;
  for (let i = 0; i < now.length; i++) {
    const a = Number(old[i]);
    const b = Number(now[i]);
    if (Object.is(a, b)) continue;
    changed++;
    const d = Math.abs(a - b);
    max = Math.max(max, Number.isNaN(d) ? Infinity : d);
  }
  return { max, changed: changed || 1 };
}

/**
 * Verifies that every weight in `snapshot` whose layer is still frozen is bit-identical to when
 * the snapshot was taken.
 * @param snapshot from {@link snapshotFrozen}.
 * @param opts `when`: words for the message, e.g. "after epoch 2".
 * @returns the number of weights checked.
 * @throws {GraftDriftError} naming the first drifted layer and weight, with every drifted weight in `drifted`.
 * @example
 * ```ts
 * graft.checkFrozen(graft.snapshotFrozen(model)); // 0 drift right away: returns the count checked
 * ```
 */
export function checkFrozen(snapshot: FrozenSnapshot, opts: { when?: string } = {}): number {
  if (snapshot == null || !Array.isArray((snapshot as FrozenSnapshot).entries)) {
    throw new TypeError("checkFrozen expects a snapshot from graft.snapshotFrozen(model)");
  }
  const drifted: GraftDriftError["drifted"] = [];
  let checked = 0;
  for (const e of snapshot.entries) {
    const nonTrainable = _ownWeights(e.node.layer).nonTrainable.includes(e.variable);
    if (!isFrozenWeight(e.node, e.variable, nonTrainable)) continue;
    checked++;
    const now = bytesOf(e.variable);
    let same = now.length === e.bytes.length;
    for (let i = 0; same && i < now.length; i++) same = now[i] === e.bytes[i];
    if (same) continue;
    const { max, changed } = maxAbsChange(e.bytes, e.variable);
    drifted.push({ layer: e.node.path, weight: e.weight, maxAbsChange: max, changed });
  }
  if (drifted.length > 0) {
    const d = drifted[0];
    const more = drifted.length > 1 ? ` (and ${drifted.length - 1} more frozen weight${drifted.length > 2 ? "s" : ""}: ${drifted.slice(1, 4).map((x) => `${x.layer}/${x.weight}`).join(", ")}${drifted.length > 4 ? ", …" : ""})` : "";
    throw new GraftDriftError(
      `Frozen weight ${d.layer}/${d.weight} changed${opts.when ? " " + opts.when : ""}: ${d.changed} value${d.changed === 1 ? "" : "s"} differ, ` +
        `max abs change ${d.maxAbsChange}${more}. Something trained or wrote a frozen layer: freeze through graft.freeze (it refreshes ` +
        `a compiled model's trainable set and puts frozen BatchNormalization in inference mode), and pass ` +
        `graft.trainableVariables(model) to optimizer.minimize in custom loops.`,
      drifted,
    );
  }
  return checked;
}

/**
 * A `model.fit` callback that snapshots frozen weights at train begin and checks them after each
 * epoch (re-snapshotting layers frozen meanwhile), failing the fit with {@link GraftDriftError}.
 * `checks` counts the epochs verified.
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 2, callbacks: [graft.frozenGuard(model)] });
 * ```
 */
export class FrozenGuard extends tf.Callback {
  snapshot?: FrozenSnapshot;
  checks = 0;
  constructor(readonly target?: tf.LayersModel) {
    super();
  }
  private subject(): tf.LayersModel {
    const m = this.target ?? this.model;
    _assertModel(m, "frozenGuard");
    return m;
  }
  override async onTrainBegin(): Promise<void> {
    this.snapshot = snapshotFrozen(this.subject());
  }
  override async onEpochEnd(epoch: number): Promise<void> {
    if (!this.snapshot) this.snapshot = snapshotFrozen(this.subject());
    checkFrozen(this.snapshot, { when: `during epoch ${epoch}` });
    this.checks++;
    // Weights just verified keep their bytes; layers frozen meanwhile are copied, unfrozen ones dropped.
    this.snapshot = _snapshot(this.subject(), this.snapshot.entries);
  }
}

/**
 * Creates a {@link FrozenGuard} for `model` (or, without an argument, for the model `fit` runs).
 * @example
 * ```ts
 * graft.freeze(model, "!fc");
 * await model.fit(x, y, { epochs: 2, callbacks: [graft.frozenGuard(model)] });
 * ```
 */
export function frozenGuard(model?: tf.LayersModel): FrozenGuard {
  if (model !== undefined) _assertModel(model, "frozenGuard");
  return new FrozenGuard(model);
}
