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
  /**
   * When it matters. `production` (the default): production refuses to start on it, development
   * shows it as a note (a laptop has no TLS certificate and needs no SMTP relay). `always`: wrong
   * in any mode, e.g. a database that cannot be reached.
   */
  readonly scope?: 'production' | 'always';
}

/** True when `finding` must be fixed in this mode (production: every finding). */
export function mattersNow(finding: Finding, production: boolean): boolean {
  return production || finding.scope === 'always';
}

/**
 * Renders findings for a terminal. `refusal`: `✗ [check] problem` then `    fix: …`, one block per
 * finding. `warning` (development start-up): one line naming the checks, since `burrow doctor`
 * explains each and a first start should not bury its URL under fixes nobody needs yet.
 */
export function formatFindings(findings: readonly Finding[], label: 'refusal' | 'warning'): string {
  if (label === 'warning')
    return `  — production only: ${findings.map((f) => f.check).join(', ')} (\`burrow doctor\` shows each with its fix)`;
  return findings.map((f) => `✗ [${f.check}] ${f.problem}\n    fix: ${f.fix}`).join('\n');
}

/** `burrow doctor`'s view: ✗ for what matters now, "— production only" notes for the rest. */
export function formatDoctorFindings(findings: readonly Finding[], production: boolean): string {
  return findings
    .map((f) =>
      mattersNow(f, production)
        ? `✗ [${f.check}] ${f.problem}\n    fix: ${f.fix}`
        : `— production only: [${f.check}] ${f.problem}\n    fix: ${f.fix}`,
    )
    .join('\n');
}
