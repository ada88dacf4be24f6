import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api.js';
import { useErrorText } from '../../app/errors.js';
import { useFilesFormat as useFormat } from './format.js';

/** Files' own error codes, each with what to do next; anything else falls back to the app's texts. */
export function useFilesErrorText(): (e: unknown, name?: string) => string {
  const { t } = useTranslation();
  const fmt = useFormat();
  const general = useErrorText();
  return (e: unknown, name?: string) => {
    if (!(e instanceof ApiError)) return general(e);
    switch (e.code) {
      case 'name_taken':
        return t('files.errors.nameTaken', { name: name ?? '' });
      case 'quota_exceeded': {
        const used = typeof e.details.usedBytes === 'number' ? e.details.usedBytes : null;
        const quota = typeof e.details.quotaBytes === 'number' ? e.details.quotaBytes : null;
        return t('files.errors.quota', { used: fmt.bytes(used), quota: fmt.bytes(quota) });
      }
      case 'is_folder':
        return t('files.errors.isFolder', { name: name ?? '' });
      case 'into_itself':
        return t('files.errors.intoItself');
      case 'locked_in_editor':
        return t('files.errors.lockedInEditor');
      case 'precondition_failed':
        return t('files.errors.changed');
      case 'not_found':
        return t('files.errors.notFound');
      case 'virus_found':
        return t('filesScan.virusFound', { name: name ?? '', signature: typeof e.details.signature === 'string' ? e.details.signature : '' });
      case 'scanner_unavailable':
        return t('filesScan.unavailable');
      case 'too_large_to_scan':
        return t('filesScan.tooLarge');
      case 'invalid_input':
        return t('files.errors.invalidName', { name: name ?? '' });
      default:
        return general(e);
    }
  };
}
