import type { TFunction } from 'i18next';
import type { Space } from './api.js';

/** "My files" for the personal space, the group's name for a group space. */
export function spaceLabel(space: Space, t: TFunction): string {
  return space.kind === 'personal' ? t('files.personal') : space.name;
}
