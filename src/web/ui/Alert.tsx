import type { ReactNode } from 'react';
import { IconAlert, IconCheck, IconInfo } from './icons.js';

/** Errors are announced at once (role=alert); success and info politely (role=status). */
export function Alert({ kind = 'info', title, children }: { kind?: 'error' | 'success' | 'info' | 'warning'; title?: string; children?: ReactNode }) {
  const role = kind === 'error' ? 'alert' : 'status';
  const Icon = kind === 'success' ? IconCheck : kind === 'info' ? IconInfo : IconAlert;
  return (
    <div className={`alert alert-${kind}`} role={role}>
      <Icon className="alert-icon" />
      <div className="alert-body">
        {title ? <p className="alert-title">{title}</p> : null}
        {children ? <div>{children}</div> : null}
      </div>
    </div>
  );
}
