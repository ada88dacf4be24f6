import { useTranslation } from 'react-i18next';
import { ApiError } from './api.js';

/**
 * Turns an error into a sentence that says what went wrong and what to do next: known codes
 * have their own translation, anything else uses the server's message.
 */
export function useErrorText(): (e: unknown) => string {
  const { t, i18n } = useTranslation();
  return (e: unknown) => {
    if (e instanceof ApiError) {
      const key = `errors.${e.code}`;
      if (i18n.exists(key)) return t(key, { message: e.message });
      if (e.status === 403) return t('errors.forbidden');
      if (e.status >= 500) return t('errors.server');
      return e.message || t('errors.unknown');
    }
    return t('errors.unknown');
  };
}
