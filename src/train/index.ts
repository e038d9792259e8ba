/** Training: the engine (tfjs backend) graft runs on, and graft's fit with frozen-feature caching. */
export { engine, ready, tf, type EngineInfo } from "./engine";
export * from "./errors";
export * from "./fit";
