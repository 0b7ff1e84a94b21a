/**
 * `burrow backup schedule`: the systemd service and timer for operators who would rather run backups
 * outside the server than with `burrow serve --backup-every` (schedule.ts). The service runs
 * `burrow backup` as the burrow user with the environment file the server uses.
 */
export interface SystemdOptions {
  /** systemd OnCalendar expression, e.g. `daily` or `*-*-* 03:00:00`. */
  onCalendar: string;
  outDir: string;
  /** Where Burrow is installed (WorkingDirectory). */
  workDir: string;
  envFile: string;
}

export function renderSystemdUnits({ onCalendar, outDir, workDir, envFile }: SystemdOptions): string {
  for (const v of [onCalendar, outDir, workDir, envFile])
    if (/[\n\r"]/.test(v)) throw new Error('Values in a systemd unit must be one line without double quotes.');
  return `# /etc/systemd/system/burrow-backup.service
[Unit]
Description=Burrow encrypted backup (docs/operations.md)
After=network-online.target

[Service]
Type=oneshot
User=burrow
WorkingDirectory=${workDir}
EnvironmentFile=${envFile}
ExecStart=/usr/bin/env npx burrow backup --out "${outDir}"
PrivateTmp=true
NoNewPrivileges=true

# /etc/systemd/system/burrow-backup.timer
[Unit]
Description=Run the Burrow backup on a schedule

[Timer]
OnCalendar=${onCalendar}
Persistent=true
RandomizedDelaySec=10min

[Install]
WantedBy=timers.target

# Then: systemctl daemon-reload && systemctl enable --now burrow-backup.timer
# A failed run shows in \`systemctl status burrow-backup\`; point OnFailure= at your alerting.
`;
}
