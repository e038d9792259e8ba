/** A folder of JPEG photos per class, written by PIL (test/fixtures/make_photo_folder.py) into a temporary folder. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const SCRIPT = path.resolve(__dirname, "..", "..", "notebooks", "data", "make_photos.py");

/** Writes ROOT/train (and ROOT/val with `val` per class) and returns ROOT. */
export function photoFolder(opts: { perClass?: number; val?: number; size?: number; seed?: number; classes?: string[] } = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "graft-photos-"));
  const args = [SCRIPT, path.join(root, "train"), "--per-class", String(opts.perClass ?? 8), "--size", String(opts.size ?? 24), "--seed", String(opts.seed ?? 0)];
  if (opts.classes) args.push("--classes", opts.classes.join(","));
  if (opts.val) args.push("--split", `val:${opts.val}`);
  execFileSync("/usr/bin/python3", ["-W", "ignore", ...args], { stdio: ["ignore", "inherit", "inherit"] });
  return root;
}
