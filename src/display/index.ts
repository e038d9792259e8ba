export * from "./bridge";
export * from "./mime";
export * from "./display";
export * from "./progress";
