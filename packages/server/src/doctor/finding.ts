/**
 * What `burrow doctor` and the start-up checks report: one finding per unsafe setting, each with the
 * fix, so an operator never has to guess (promise P8; the list is in docs/operations.md).
 */
export interface Finding {
  /** A stable id, e.g. `database-passwordless` (docs/operations.md lists them all). */
  readonly check: string;
  /** What is wrong, in one sentence. Never holds a secret. */
  readonly problem: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Renders findings for a terminal: `✗ problem` then `  fix: …`, one block per finding. */
export function formatFindings(findings: readonly Finding[], label: 'refusal' | 'warning'): string {
  const mark = label === 'refusal' ? '✗' : '!';
  return findings.map((f) => `${mark} [${f.check}] ${f.problem}\n    fix: ${f.fix}`).join('\n');
}
