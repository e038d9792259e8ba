export type { MimeBundle } from "./bridge";
export { plainText, toMimeBundle } from "./mime";
export { clearOutput, display } from "./display";
export type { DisplayHandle, DisplayOptions } from "./display";
export { progressBar } from "./progress";
export type { ProgressReporter } from "./progress";
export { checkpointBundle } from "./checkpoint_table";
