/**
 * Progress for long CLI operations (backup, restore, notify). On a terminal it redraws one line
 * (`label [#######.......]  52%  520/1000`); elsewhere (CI, logs) it prints one line when done.
 */
export interface Progress {
  tick(n?: number): void;
  done(): void;
}

export type ProgressFactory = (label: string, total: number) => Progress;

export const silentProgress: ProgressFactory = () => ({ tick: () => undefined, done: () => undefined });

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressFactory {
  return (label, total) => {
    let count = 0;
    let drawn = -1;
    const width = 30;
    const draw = (): void => {
      const ratio = total === 0 ? 1 : Math.min(1, count / total);
      const percent = Math.floor(ratio * 100);
      if (percent === drawn) return;
      drawn = percent;
      const filled = Math.round(ratio * width);
      stream.write(
        `\r${label.padEnd(18)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}%  ${String(count)}/${String(total)}`,
      );
    };
    return {
      tick(n = 1) {
        count += n;
        if (stream.isTTY) draw();
      },
      done() {
        if (stream.isTTY) {
          drawn = -1;
          draw();
          stream.write('\n');
        } else stream.write(`${label}: ${String(count)}/${String(total)} done\n`);
      },
    };
  };
}
