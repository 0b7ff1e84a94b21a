/**
 * The public face of kem-keys/ (docs/protocol.md §14): which KEM key epoch each device last
 * published, for the check that a sender sealed to it. The table is kem-keys/store.ts's.
 */
export { latestEpochs } from './store.js';
