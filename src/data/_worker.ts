/**
 * Private: the loader's worker thread. It receives sample jobs (file + transform specs as
 * data), decodes and transforms them with the same code as the main thread, and sends the
 * pixels back (their buffer transferred, not copied). A few jobs run at once so decoding (off
 * this thread, in the decoder's pool) overlaps the transforms.
 */
import { parentPort } from "node:worker_threads";
import { runSampleJob, toWire, type SampleJob } from "./_sample_pipeline";

const port = parentPort;
if (port) {
  port.on("message", (job: SampleJob) => {
    runSampleJob(job).then(
      (p) => port.postMessage({ id: job.id, ok: true, data: p.data, height: p.height, width: p.width }, [p.data.buffer as ArrayBuffer]),
      (err) => port.postMessage({ id: job.id, ok: false, error: toWire(err) }),
    );
  });
}
