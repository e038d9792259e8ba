/**
 * `file://` save and load handlers for tfjs when tfjs-node (which brings its own) is absent,
 * writing the same layout tfjs-node writes: `model.json` plus one `weights.bin`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";

const SCHEME = "file://";

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

function concatWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}

class FileHandler implements tf.io.IOHandler {
  constructor(private readonly target: string) {}

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    if (artifacts.modelTopology instanceof ArrayBuffer) {
      throw new TypeError(`Cannot save to ${SCHEME}${this.target}: binary model topology is not supported`);
    }
    const dir = this.target.endsWith("model.json") ? path.dirname(this.target) : this.target;
    fs.mkdirSync(dir, { recursive: true });
    const weightsFile = "weights.bin";
    const modelJSON: tf.io.ModelJSON = {
      modelTopology: artifacts.modelTopology as object,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
    };
    if (artifacts.trainingConfig) modelJSON.trainingConfig = artifacts.trainingConfig;
    if (artifacts.signature) modelJSON.signature = artifacts.signature;
    if (artifacts.userDefinedMetadata) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
    if (artifacts.modelInitializer) modelJSON.modelInitializer = artifacts.modelInitializer;
    fs.writeFileSync(path.join(dir, weightsFile), concatWeightData(artifacts.weightData));
    fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify(modelJSON));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    const file = fs.existsSync(this.target) && fs.statSync(this.target).isDirectory()
      ? path.join(this.target, "model.json")
      : this.target;
    const modelJSON = JSON.parse(fs.readFileSync(file, "utf8")) as tf.io.ModelJSON;
    const dir = path.dirname(file);
    return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of manifest) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
      }
      return [specs, toArrayBuffer(Buffer.concat(buffers))];
    });
  }
}

let registered = false;

/** Registers `file://` routers once; tfjs-node registers its own, so this runs only without it. */
export function registerFileHandlers(): void {
  if (registered) return;
  registered = true;
  // tfjs's router registry skips routers that return null; its type says IOHandler.
  const route = ((url: string | string[]) => {
    if (Array.isArray(url) || !url.startsWith(SCHEME)) return null;
    return new FileHandler(url.slice(SCHEME.length));
  }) as unknown as Parameters<typeof tf.io.registerSaveRouter>[0];
  tf.io.registerSaveRouter(route);
  tf.io.registerLoadRouter(route);
}
