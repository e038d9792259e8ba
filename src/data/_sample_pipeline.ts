/**
 * Private: one sample from file to pixels — decode, then the built-in transform specs with the
 * sample's own generator (seed, epoch, position) — shared by the loader's worker threads and
 * its main-thread path, so both give the same pixels. Results travel as plain typed arrays.
 */
import { readImage } from "./read_image";
import { applySpecs, type TransformSpec } from "./_transform_spec";
import { seededRandom } from "./random";
import type { Pixels } from "./_image_ops";

/** What a worker is asked to do for one sample. */
export interface SampleJob {
  id: number;
  path: string;
  specs: TransformSpec[];
  exifTranspose: boolean;
  maxPixels: number;
  /** seededRandom keys: seed, epoch, position. */
  keys: [number, number, number];
}

/** A GraftImageError (or any error) flattened to cross a thread. */
export interface WireError { name: string; message: string; file?: string; reason?: string; width?: number; height?: number }

/** Runs one job. */
export async function runSampleJob(job: SampleJob): Promise<Pixels> {
  const img = await readImage(job.path, { exifTranspose: job.exifTranspose, maxPixels: job.maxPixels });
  const [seed, epoch, pos] = job.keys;
  return applySpecs(job.specs, img, seededRandom(seed, epoch, pos));
}

/** Flattens an error for postMessage. */
export function toWire(err: unknown): WireError {
  const e = err as WireError & Error;
  return { name: e?.name ?? "Error", message: e?.message ?? String(err), file: e?.file, reason: e?.reason, width: e?.width, height: e?.height };
}
