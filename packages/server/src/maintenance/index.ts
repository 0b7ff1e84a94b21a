export { deleteInBatches, type BatchDelete, type BatchOptions, type BatchResult } from './batches.js';
export { createMaintenance, registerMaintenance, type Maintenance, type MaintenanceOptions } from './register.js';
