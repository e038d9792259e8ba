/**
 * One loader pass for bench/data.ts, in its own process so its peak RSS is its own: imageFolder
 * with zoo.resnet18's preset → loader (batch, workers) → every batch consumed and disposed.
 * Prints {"images", "seconds", "images_per_s", "max_rss_mb"}.
 * usage: node --import tsx bench/_data_pass.ts ROOT WORKERS BATCH
 */
import * as data from "../src/data";
import { resnet18 } from "../src/zoo";
import { ready } from "../src/engine/engine";

async function main() {
  const [root, workers, batch] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  await ready();
  const folder = data.imageFolder(root, { transform: resnet18.transforms() });
  const t0 = performance.now();
  let n = 0;
  for await (const { xs } of data.loader(folder, { batchSize: batch, workers })) n += xs.shape[0];
  const seconds = (performance.now() - t0) / 1000;
  // resourceUsage().maxRSS is in KiB and covers the worker threads (same process).
  console.log(JSON.stringify({ images: n, seconds, images_per_s: n / seconds, max_rss_mb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((e) => { console.error(e); process.exit(1); });
