/**
 * Keeping tfjs's trainable set in step with freezing.
 *
 * Measured in tfjs-layers 4.22 (`engine/training.ts`): `compile()` stores
 * `collectedTrainableWeights = trainableWeights`, and the training function `fit` builds reads
 * that list at every batch. A layer unfrozen after `compile()` is therefore never trained; a layer
 * frozen after it only escapes because its variables' `trainable` flags turn false (tfjs then
 * hands the optimizer a null gradient). graft refreshes the list after every freeze/unfreeze,
 * which is equivalent to re-compiling with the same optimizer instance, loss and metrics, and
 * works between batches of a running `fit` too.
 *
 * Second trap (tfjs-core 4.22 `adam_optimizer.ts`, also Adamax, RMSProp, Momentum, Adagrad,
 * Adadelta): optimizer slots are indexed by *position* in the variable list, not by name. Once an
 * optimizer has stepped, graft keeps every variable at its position and appends newly trainable
 * ones; variables frozen since stay in place (tfjs gives them a null gradient and skips them).
 * A later `model.compile()` with the same optimizer instance would reset the list to model order,
 * so the model's own `compile` is followed by the same refresh (an own property, the class is
 * untouched).
 */
import * as tf from "@tensorflow/tfjs";
import { _prepare } from "./_batchnorm";
import { _assertModel } from "./_tree";

/** The parts of a compiled LayersModel (protected in tfjs's types) that graft keeps in step. */
interface Compiled {
  collectedTrainableWeights?: tf.LayerVariable[] | null;
  checkTrainableWeightsConsistency?: () => void;
  trainableWeights: tf.LayerVariable[];
  model?: Compiled;
  compile(args: tf.ModelCompileArgs): void;
}

const COMPILE_HOOK = Symbol.for("graft.freeze.compileHook");

/** After the model's own compile, keep the order an already-stepped optimizer expects. */
function hookCompile(model: tf.LayersModel): void {
  const m = model as unknown as Compiled & { [COMPILE_HOOK]?: true };
  if (m[COMPILE_HOOK]) return;
  const base = m.compile;
  m[COMPILE_HOOK] = true;
  m.compile = function (this: tf.LayersModel, args: tf.ModelCompileArgs) {
    base.call(this, args);
    refreshTrainable(this);
  };
}

const slotOrder = new WeakMap<tf.Optimizer, tf.LayerVariable[]>();

function stepped(optimizer: tf.Optimizer | undefined): boolean {
  return optimizer != null && (optimizer as unknown as { iterations_?: number }).iterations_! > 0;
}

/** `current` in an order that keeps position-indexed optimizer slots aligned with `previous`. */
function aligned(previous: tf.LayerVariable[] | undefined, current: tf.LayerVariable[], optimizer: tf.Optimizer | undefined): tf.LayerVariable[] {
  if (!previous || !stepped(optimizer)) return current;
  const known = new Set(previous);
  return [...previous, ...current.filter((w) => !known.has(w))];
}

/**
 * Makes a compiled model's next training step (of `fit`, even one already running) use exactly
 * its currently trainable weights. graft's freeze functions call this; call it yourself after
 * setting `layer.trainable` by hand. Does nothing to a model not yet compiled.
 * @param model the model that is (or will be) trained.
 * @returns the LayerVariables the next `fit` step hands the optimizer, in slot order.
 * @example
 * ```ts
 * model.getLayer("fc").trainable = false;
 * graft.refreshTrainable(model); // now fit sees it
 * ```
 */
export function refreshTrainable(model: tf.LayersModel): tf.LayerVariable[] {
  _assertModel(model, "refreshTrainable");
  _prepare(model);
  hookCompile(model);
  const m = model as unknown as Compiled;
  const targets = [m, m.model].filter((t): t is Compiled => t != null && t.collectedTrainableWeights != null);
  if (targets.length === 0) return model.trainableWeights;
  const previous = (model.optimizer && slotOrder.get(model.optimizer)) || targets[0].collectedTrainableWeights!;
  const order = aligned(previous, model.trainableWeights, model.optimizer);
  for (const t of targets) {
    t.collectedTrainableWeights = order;
    // fit warns when the counts differ; with frozen variables kept in place that warning is wrong.
    if (!Object.prototype.hasOwnProperty.call(t, "checkTrainableWeightsConsistency")) {
      t.checkTrainableWeightsConsistency = function (this: Compiled) {
        const live = (this.collectedTrainableWeights ?? []).filter((w) => w.trainable).length;
        if (live !== this.trainableWeights.length) {
          console.warn(`graft: ${this.trainableWeights.length} trainable weights but fit will train ${live}; call graft.refreshTrainable(model)`);
        }
      };
    }
  }
  if (model.optimizer) slotOrder.set(model.optimizer, order);
  return order;
}

/**
 * The variables an optimizer should update in a custom loop: `optimizer.minimize(f, false, vars)`.
 * Pass the optimizer when you keep using one across freeze changes: once it has stepped, the list
 * keeps earlier variables at their positions (tfjs optimizers index their slots by position) and
 * appends newly unfrozen ones; variables frozen since stay in place with `trainable == false`, so
 * tfjs skips them.
 * @param model the model.
 * @param opts `optimizer`: the optimizer the list is for.
 * @returns tf.Variables, model order (or slot order, see above).
 * @example
 * ```ts
 * graft.freeze(model, "!fc");
 * const opt = tf.train.adam(1e-3);
 * opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
 *   false, graft.trainableVariables(model, { optimizer: opt }));
 * ```
 */
export function trainableVariables(model: tf.LayersModel, opts: { optimizer?: tf.Optimizer } = {}): tf.Variable[] {
  _assertModel(model, "trainableVariables");
  if (opts == null || typeof opts !== "object") throw new TypeError(`trainableVariables: opts must be an object like { optimizer }: got ${typeof opts}`);
  _prepare(model);
  const current = model.trainableWeights;
  const { optimizer } = opts;
  const order = optimizer ? aligned(slotOrder.get(optimizer), current, optimizer) : current;
  if (optimizer) slotOrder.set(optimizer, order);
  return order.map((w) => w.read() as tf.Variable);
}
