import type { UserView } from './types.js';

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** The person's picture, or their initials; decorative next to their name. */
/** The avatar URL with a version so a new picture is not hidden by the browser cache. */
export function avatarSrc(user: Pick<UserView, 'avatarUrl' | 'updatedAt'>): string | null {
  if (!user.avatarUrl) return null;
  return `${user.avatarUrl}${user.avatarUrl.includes('?') ? '&' : '?'}v=${encodeURIComponent(user.updatedAt)}`;
}

export function Avatar({ user, size = 32, src }: { user: Pick<UserView, 'displayName' | 'avatarUrl' | 'updatedAt'>; size?: 32 | 48 | 96; src?: string | null }) {
  const url = src ?? avatarSrc(user);
  if (url) return <img className={`avatar avatar-${size}`} src={url} alt="" width={size} height={size} />;
  return (
    <span className={`avatar avatar-${size} avatar-initials`} aria-hidden="true">
      {initials(user.displayName)}
    </span>
  );
}
