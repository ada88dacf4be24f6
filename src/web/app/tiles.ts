import { useEffect, useState } from 'react';
import { api } from './api.js';
import type { Tile } from './types.js';

/** The portal tiles, fetched once per signed-in person and shared by the portal and the top bar. */
let cache: { userId: string; tiles: Tile[] } | null = null;

export function useTiles(userId: string): { tiles: Tile[] | null; error: unknown } {
  const [tiles, setTiles] = useState<Tile[] | null>(cache?.userId === userId ? cache.tiles : null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (cache?.userId === userId) {
      setTiles(cache.tiles);
      return;
    }
    const ctrl = new AbortController();
    api
      .get<{ tiles: Tile[] }>('/api/portal/tiles', ctrl.signal)
      .then((r) => {
        const sorted = [...r.tiles].sort((a, b) => a.order - b.order);
        cache = { userId, tiles: sorted };
        setTiles(sorted);
      })
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') setError(e);
      });
    return () => ctrl.abort();
  }, [userId]);
  return { tiles, error };
}

export function clearTilesCache(): void {
  cache = null;
}
