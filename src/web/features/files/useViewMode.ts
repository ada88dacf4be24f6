import { useCallback, useState } from 'react';
import { useUser } from '../../app/session.js';

export type ViewMode = 'list' | 'grid';

/** List or grid, remembered per person in this browser. */
export function useViewMode(): [ViewMode, (mode: ViewMode) => void] {
  const user = useUser();
  const key = `tessera.files.view.${user.id}`;
  const [mode, setMode] = useState<ViewMode>(() => {
    try {
      return localStorage.getItem(key) === 'grid' ? 'grid' : 'list';
    } catch {
      return 'list';
    }
  });
  const choose = useCallback(
    (next: ViewMode) => {
      setMode(next);
      try {
        localStorage.setItem(key, next);
      } catch {
        /* private mode or full storage: the choice lasts for this page only */
      }
    },
    [key],
  );
  return [mode, choose];
}
