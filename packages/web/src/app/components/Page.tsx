import { useEffect, useRef, type ReactNode } from 'react';
import { Icon, type IconName } from './Icon.js';

/**
 * A page's heading and body. The heading takes focus when the page opens, so keyboard and
 * screen-reader users land on the new page instead of on the link they just left.
 */
export function Page({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
    document.title = `${title} · Burrow`;
  }, [title]);
  return (
    <>
      <h1 ref={heading} tabIndex={-1} className="page-title">
        {title}
      </h1>
      {intro ? <p className="page-intro">{intro}</p> : null}
      {children}
    </>
  );
}

/** A friendly empty state: what will appear here, and the one thing to do next. */
export function EmptyState({
  icon,
  title,
  children,
}: {
  icon: IconName;
  title: string;
  children: ReactNode;
}) {
  return (
    <div className="empty">
      <span className="empty-icon">
        <Icon name={icon} size={40} />
      </span>
      <h2>{title}</h2>
      {children}
    </div>
  );
}
