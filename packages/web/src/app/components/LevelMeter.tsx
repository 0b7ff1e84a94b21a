import { useEffect, useRef } from 'react';

/** A live input-level bar, drawn every animation frame from `read()` (0 to 1). Purely visual. */
export function LevelMeter({ read }: { read: (() => number) | null }) {
  const bar = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (!read) return;
    let frame = 0;
    let smooth = 0;
    const draw = () => {
      smooth = Math.max(read(), smooth * 0.85);
      if (bar.current) bar.current.style.transform = `scaleX(${smooth.toFixed(3)})`;
      frame = requestAnimationFrame(draw);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [read]);
  return (
    <div className={`level ${read ? 'active' : ''}`} aria-hidden="true">
      <span ref={bar} />
    </div>
  );
}
