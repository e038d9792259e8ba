export * from "./bridge";
export * from "./mime";
export * from "./display";
export * from "./progress";
export { checkpointBundle } from "./checkpoint_table";
