/** True when a write failed on a UNIQUE or PRIMARY KEY constraint, on either dialect. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // PostgreSQL SQLSTATE 23505 unique_violation; SQLite extended result codes via libsql.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** True when a write failed on a FOREIGN KEY constraint (the row it names is gone), on either dialect. */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // PostgreSQL SQLSTATE 23503 foreign_key_violation; SQLite's extended result code.
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
