export { createBlobJournal, type BlobJournal } from './blob-journal.js';
export { createSlicer, deleteInBatches, SLICE_MS, type BatchDelete, type BatchOptions, type BatchResult } from './batches.js';
export { createMaintenance, MAINTENANCE_JOB, registerMaintenance, type Maintenance, type MaintenanceOptions, type ScheduledMaintenance } from './register.js';
