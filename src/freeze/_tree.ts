/**
 * The layer tree of a model, as graft's freezing tools see it.
 *
 * Names: a top-level layer is addressed by its tfjs name (`layer1.0.conv1`); a layer inside a
 * nested model (a LayersModel or Sequential used as a layer) by the nested model's name, `/`, and
 * the inner name (`backbone/layer1.0.conv1`), to any depth. Input layers are left out.
 * Freezing state lives on leaf layers (`layer.trainable`); {@link _normalize} pushes a nested
 * model's `trainable = false` down to its leaves so that one place holds the truth.
 */
import * as tf from "@tensorflow/tfjs";

/** One layer in the walk: a leaf, or a nested model whose `leaves` are its descendant leaves. */
export interface LayerNode {
  path: string;
  layer: tf.layers.Layer;
  container: boolean;
  parent?: LayerNode;
  leaves: LayerNode[];
}

type Layerish = tf.layers.Layer & { layers?: tf.layers.Layer[]; trainable_?: boolean; model?: Layerish };

/** True when `layer` holds layers of its own (a LayersModel, Sequential or functional model). */
export function _isContainer(layer: tf.layers.Layer): boolean {
  return Array.isArray((layer as Layerish).layers);
}

/** Throws a TypeError unless `model` looks like a tfjs LayersModel. */
export function _assertModel(model: unknown, fn: string): asserts model is tf.LayersModel {
  if (model == null || typeof model !== "object" || !Array.isArray((model as Layerish).layers)) {
    const got = model === null ? "null" : typeof model === "object" ? (model as object).constructor?.name ?? "object" : typeof model;
    throw new TypeError(`${fn} expects a tf.LayersModel (tf.sequential, tf.model or a graft zoo model) as its first argument: got ${got}`);
  }
}

/** Every layer of `model` in model order, nested models first and then their contents (pre-order). */
export function _walk(model: tf.LayersModel): LayerNode[] {
  const out: LayerNode[] = [];
  const seen = new Set<tf.layers.Layer>();
  const visit = (layers: tf.layers.Layer[], prefix: string, parent: LayerNode | undefined): LayerNode[] => {
    const leaves: LayerNode[] = [];
    for (const layer of layers) {
      if (seen.has(layer) || layer.getClassName() === "InputLayer") continue;
      seen.add(layer);
      const node: LayerNode = { path: prefix + layer.name, layer, container: _isContainer(layer), parent, leaves: [] };
      out.push(node);
      if (node.container) {
        node.leaves = visit((layer as Layerish).layers!, node.path + "/", node);
      } else {
        node.leaves = [node];
      }
      leaves.push(...node.leaves);
    }
    return leaves;
  };
  visit(model.layers, "", undefined);
  return out;
}

/** The leaf layers of `model` (no nested models), in model order. */
export function _leaves(model: tf.LayersModel): LayerNode[] {
  return _walk(model).filter((n) => !n.container);
}

/** True when the leaf, or a nested model holding it, has `trainable == false`. */
export function _isFrozenNode(node: LayerNode): boolean {
  for (let n: LayerNode | undefined = node; n; n = n.parent) if (!n.layer.trainable) return true;
  return false;
}

/** True for tfjs BatchNormalization layers. */
export function _isBatchNorm(layer: tf.layers.Layer): boolean {
  return layer.getClassName() === "BatchNormalization";
}

/**
 * Moves freezing state onto leaves: a nested model with `trainable == false` gets its leaves
 * frozen one by one and its own flag set back to true (without the setter, which would flip every
 * inner weight). The top-level model is treated the same way.
 */
export function _normalize(model: tf.LayersModel): void {
  const containers = [model as tf.layers.Layer, ..._walk(model).filter((n) => n.container).map((n) => n.layer)];
  for (const c of containers) {
    if (c.trainable) continue;
    const inner = c === model ? _leaves(model) : _walk(model).filter((n) => n.container && n.layer === c)[0].leaves;
    for (const leaf of inner) leaf.layer.trainable = false;
    _setOwnTrainable(c as Layerish, true);
  }
}

function _setOwnTrainable(c: Layerish, value: boolean): void {
  c.trainable_ = value;
  if (c.model && c.model !== c) c.model.trainable_ = value; // Sequential mirrors an inner LayersModel
}

/** A weight's own name inside its layer: `kernel`, `gamma`, `moving_mean`… */
export function _weightName(w: tf.LayerVariable): string {
  const name = (w as unknown as { originalName?: string }).originalName ?? w.name;
  return name.split("/").pop()!;
}

/** A leaf's own weights split as tfjs holds them: created trainable, and never trainable. */
export function _ownWeights(layer: tf.layers.Layer): { trainable: tf.LayerVariable[]; nonTrainable: tf.LayerVariable[] } {
  const l = layer as unknown as { _trainableWeights?: tf.LayerVariable[]; _nonTrainableWeights?: tf.LayerVariable[]; layer?: tf.layers.Layer };
  if (l._trainableWeights && l._nonTrainableWeights && (l._trainableWeights.length || l._nonTrainableWeights.length || !l.layer)) {
    return { trainable: l._trainableWeights, nonTrainable: l._nonTrainableWeights };
  }
  if (l.layer) return _ownWeights(l.layer); // wrappers (TimeDistributed, Bidirectional) hold an inner layer
  return { trainable: [], nonTrainable: layer.nonTrainableWeights };
}
