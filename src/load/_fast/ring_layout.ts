/**
 * The byte layout of the shared memory the transpose helper's worker and the main thread use
 * (transpose_helper.ts, transpose_worker.ts): a claim word, counters, a queue of published jobs,
 * a staging area for source rows and a ring of transposed weights.
 */
export const CLAIM_AT = 0; // BigInt64: generation << 48 | front << 24 | back
export const DONE = 2; // Int32 words: jobs published, jobs released (copied by the main thread)
export const RELEASED = 3;
export const QUEUE_AT = 4096; // per published job: index, ring offset, status (0 ok, 1 failed)
export const QUEUE_CAP = 16384;
export const STAGE_AT = 256 << 10;
/** Staging for the worker's bands of source rows. */
export const STAGE_BYTES = 8 << 20;
export const RING_AT = STAGE_AT + STAGE_BYTES;
/** The ring the worker transposes into; a weight must fit in it to go to the worker. */
export const RING_BYTES = 16 << 20;
export const PAGES = Math.ceil((RING_AT + RING_BYTES) / 65536);
/** Claim word fields are 24 bits wide. */
export const MAX_JOBS = (1 << 24) - 1;
/** A worker that publishes nothing for this long while jobs are claimed is given up on. */
export const STALL_MS = 10_000;

