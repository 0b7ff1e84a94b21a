/** A count beside a tab or link ("3 waiting"), read out with its word; nothing when the count is 0. */
export function CountBadge({ count, word, className }: { count: number; word: string; className: string }) {
  if (count <= 0) return null;
  return (
    <span className={className}>
      {count}
      <span className="sr-only"> {word}</span>
    </span>
  );
}
