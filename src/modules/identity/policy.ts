import { ForbiddenError, UnauthenticatedError } from '../../platform/errors.js';
import type { AuthContext } from './types.js';

/**
 * Who may do what in identity. Session states (docs/api.md): a pending second factor allows only
 * finishing sign-in; a missing but required enrolment allows only enrolling.
 */
export type AccessLevel = 'session' | 'mfaPending' | 'enrolling' | 'user' | 'admin';

export function authorize(auth: AuthContext | undefined, level: AccessLevel): AuthContext {
  if (!auth) throw new UnauthenticatedError();
  if (level === 'session') return auth;
  if (level === 'mfaPending') {
    if (!auth.mfaPending) throw new ForbiddenError('Sign-in is complete already.', 'mfa_not_pending');
    return auth;
  }
  if (auth.mfaPending) throw new UnauthenticatedError('Finish signing in with your second factor.', 'mfa_required');
  if (level === 'enrolling') return auth;
  if (auth.enrollmentRequired) {
    throw new ForbiddenError('Set up two-factor authentication (an authenticator app or a security key) to continue.', 'enrollment_required');
  }
  if (level === 'admin' && !auth.user.isAdmin) throw new ForbiddenError('Only administrators may do this.');
  return auth;
}
