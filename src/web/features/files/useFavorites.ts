import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { favoritesApi, type FileNode } from './api.js';
import { useFilesErrorText } from './errors.js';

/** The person's starred item ids and a toggle that says what it did (for a folder's row menus). */
export function useFavorites(announce: (message: string) => void) {
  const { t } = useTranslation();
  const errorText = useFilesErrorText();
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    let live = true;
    favoritesApi
      .list()
      .then((r) => live && setIds(new Set(r.items.map((n) => n.id))))
      // Without the list the stars show as off; starring still works.
      .catch(() => {});
    return () => {
      live = false;
    };
  }, []);

  const toggle = useCallback(
    async (node: FileNode) => {
      const on = !ids.has(node.id);
      try {
        if (on) await favoritesApi.add(node.id);
        else await favoritesApi.remove(node.id);
        setIds((prev) => {
          const next = new Set(prev);
          if (on) next.add(node.id);
          else next.delete(node.id);
          return next;
        });
        announce(t(on ? 'favorites.added' : 'favorites.removed', { name: node.name }));
      } catch (e) {
        announce(errorText(e));
      }
    },
    [announce, errorText, ids, t],
  );

  return { ids, toggle };
}
