/** Request body limits, in bytes. */
export const JSON_BODY_LIMIT = 64 * 1024;
/**
 * Routes carrying a roster (up to 256 devices) or an envelope (up to 256 recipients and 16 KiB of
 * sealed metadata) need more than the default: docs/protocol.md's maxima fit in 256 KiB.
 */
export const PROTOCOL_BODY_LIMIT = 256 * 1024;
/** A sealed blob is at most 2 MiB (protocol MAX_BLOB_BYTES); the slack covers framing. */
export const BLOB_BODY_LIMIT = 2 * 1024 * 1024 + 64 * 1024;
