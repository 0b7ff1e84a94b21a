/**
 * Which values the quiet-hours clock (components/ClockInput.tsx) offers. Pure, so its rules are tested
 * without a browser (clock-choices.test.ts).
 */

/** Minutes are offered in steps of 5: 12 options instead of 60 on a phone's select wheel. */
export const MINUTE_STEP = 5;

/**
 * The minutes to offer when `current` is selected: every 5th, plus `current` in its place when it is
 * off the step. Signed toy settings allow any minute (docs/protocol.md §10: 0-1439), and one saved
 * before the steps, or by another app, must still show as it is (07:03, not 07:00): a <select> whose
 * value has no option shows its first option, and saving would then change the setting unasked.
 */
export function minuteChoices(current: number): number[] {
  const steps = Array.from({ length: 60 / MINUTE_STEP }, (_, i) => i * MINUTE_STEP);
  if (current % MINUTE_STEP === 0) return steps;
  return [...steps, current].sort((a, b) => a - b);
}

/** The hours to offer: 0-23, or 0-11 where AM/PM says which half of the day (0 shows as 12). */
export function hourChoices(twelveHour: boolean): number[] {
  return Array.from({ length: twelveHour ? 12 : 24 }, (_, h) => h);
}

/** The halves of the day, as the offset in hours each adds: AM 0, PM 12. */
export const DAY_PERIODS: readonly number[] = [0, 12];
