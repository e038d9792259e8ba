#!/usr/bin/env node
/**
 * The graft kernel process: `node dist/kernel/main.js --config-path CONNECTION_FILE`, as written
 * in the kernelspec by `graft install`. The working directory is the notebook's folder.
 */
import { installGraftResolution } from "./resolve";
import { installEnvResolution } from "./_env";
import { installEsmImports } from "./_esm";
import { installOutput, kernelLog } from "./output";
import { GraftKernel } from "./kernel";
import { GraftServer } from "./server";
import { installGuards } from "./guard";
import { trackOrigins } from "./_origin";
import { LastWords } from "./_last_words";

function configPath(argv: string[]): string {
  const i = argv.indexOf("--config-path");
  const path = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--config-path="))?.slice(14);
  if (!path) {
    process.stderr.write("usage: node dist/kernel/main.js --config-path CONNECTION_FILE (Jupyter passes it; see `graft install`)\n");
    process.exit(2);
  }
  return path;
}

/** Starts the kernel; resolves once the sockets are bound. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const config = configPath(argv);
  installGraftResolution();
  installEnvResolution(process.cwd());
  const kernel = new GraftKernel(process.cwd());
  // After the kernel's own vm hook, so the code its tracebacks map is the code that runs.
  installEsmImports();
  installOutput({ kernel });
  const server = new GraftServer(kernel, config);
  // Why the previous process of this session died, if it did: told on the first cell.
  const words = new LastWords(config);
  const notice = words.recall();
  if (notice) {
    kernel.notices.push(notice);
    kernelLog(notice.trimEnd());
  }
  kernel.watch = words;
  server.beforeExit.push(() => words.clear());
  // With a SIGINT listener, node's breakOnSigint breaks a running synchronous cell; an awaited
  // one is rejected here.
  process.on("SIGINT", () => kernel.interrupt());
  trackOrigins();
  kernel.pruneGuards = installGuards((reason, event, promise) => kernel.reportEscaped(reason, event, promise));
  await server.init();
  // Jupyter's next step when a kernel does not exit by itself after shutdown_request.
  process.on("SIGTERM", () => void server.shutdown());
  kernel.startPrelude();
}

if (require.main === module) {
  main().catch((err) => {
    kernelLog(`failed to start: ${err?.stack ?? err}`);
    process.exit(1);
  });
}
