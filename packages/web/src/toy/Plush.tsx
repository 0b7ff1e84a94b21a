/** The plush, drawn in SVG. Its heart glows and pulses while a message waits. */
export type HeartState = 'idle' | 'waiting' | 'playing' | 'listening';

export function Plush({ heart, label }: { heart: HeartState; label: string }) {
  return (
    <svg className={`plush heart-${heart}`} viewBox="0 0 300 340" role="img" aria-label={label}>
      <defs>
        <radialGradient id="fur" cx="50%" cy="40%" r="60%">
          <stop offset="0%" stopColor="#d9a273" />
          <stop offset="100%" stopColor="#b87945" />
        </radialGradient>
        <filter id="glow" x="-60%" y="-60%" width="220%" height="220%">
          <feGaussianBlur stdDeviation="9" result="blur" />
          <feMerge>
            <feMergeNode in="blur" />
            <feMergeNode in="SourceGraphic" />
          </feMerge>
        </filter>
      </defs>
      <circle cx="78" cy="62" r="40" fill="url(#fur)" />
      <circle cx="222" cy="62" r="40" fill="url(#fur)" />
      <circle cx="78" cy="62" r="22" fill="#f0c9a5" />
      <circle cx="222" cy="62" r="22" fill="#f0c9a5" />
      <ellipse cx="150" cy="252" rx="104" ry="86" fill="url(#fur)" />
      <ellipse cx="92" cy="326" rx="38" ry="16" fill="#a7683a" />
      <ellipse cx="208" cy="326" rx="38" ry="16" fill="#a7683a" />
      <circle cx="150" cy="118" r="86" fill="url(#fur)" />
      <ellipse cx="150" cy="146" rx="34" ry="26" fill="#f0c9a5" />
      <ellipse cx="150" cy="134" rx="11" ry="8" fill="#3b2417" />
      <path
        d="M150 142v10m-12 2c6 6 18 6 24 0"
        stroke="#3b2417"
        strokeWidth="3"
        fill="none"
        strokeLinecap="round"
      />
      <g className="eyes">
        <circle cx="116" cy="106" r="9" fill="#2b1a10" />
        <circle cx="184" cy="106" r="9" fill="#2b1a10" />
        <circle cx="119" cy="103" r="3" fill="#fff" />
        <circle cx="187" cy="103" r="3" fill="#fff" />
      </g>
      <ellipse cx="150" cy="258" rx="60" ry="52" fill="#f0c9a5" opacity="0.55" />
      <g transform="translate(150 258)">
        <g className="heart">
          <path
            className="heart-shape"
            d="M0 30C-20 16-40 2-40-16a20 20 0 0 1 40-6 20 20 0 0 1 40 6c0 18-20 32-40 46z"
          />
        </g>
      </g>
    </svg>
  );
}
