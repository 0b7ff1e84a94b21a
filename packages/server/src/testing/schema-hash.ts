/**
 * A hash of the database code (packages/server/src/db, migrations included): the name of a migrated
 * template (pg-template.ts, sqlite-template.ts), so any change to a migration makes a new template
 * and branches never share a stale schema. Read once per process.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dbDir = fileURLToPath(new URL('../db/', import.meta.url));
let hashed: string | undefined;

/** Hash of every non-test file under db/ (the migrations and the code that runs them). */
export function schemaHash(): string {
  if (hashed !== undefined) return hashed;
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.includes('.test.'))
        hash.update(name).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(dbDir);
  hashed = hash.digest('hex');
  return hashed;
}
