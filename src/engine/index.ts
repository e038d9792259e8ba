/** The engine graft computes on: the tfjs backend it chose at load (tfjs-node, threaded or single-threaded wasm, cpu), and why. */
export { engine, ready, tf, type EngineInfo } from "./engine";
