import type { SVGProps } from 'react';

/** Icons of the favorites, recent and zip features; inline SVG, decorative. */
type P = SVGProps<SVGSVGElement> & { filled?: boolean };

const base = { viewBox: '0 0 24 24', width: 20, height: 20, stroke: 'currentColor', strokeWidth: 1.8, strokeLinecap: 'round', strokeLinejoin: 'round', 'aria-hidden': true, focusable: false } as const;

export const IconStar = ({ filled, className, ...p }: P) => (
  <svg {...base} fill={filled ? 'currentColor' : 'none'} className={`icon ${className ?? ''}`} {...p}>
    <path d="M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z" />
  </svg>
);
export const IconClock = ({ className, ...p }: P) => (
  <svg {...base} fill="none" className={`icon ${className ?? ''}`} {...p}>
    <circle cx="12" cy="12" r="8.5" />
    <path d="M12 7.5V12l3 2" />
  </svg>
);
export const IconZip = ({ className, ...p }: P) => (
  <svg {...base} fill="none" className={`icon ${className ?? ''}`} {...p}>
    <path d="M6 3h9l4 4v14H6z" />
    <path d="M11 6h2M11 9h2M11 12h2M11 15h2v3h-2z" />
  </svg>
);
