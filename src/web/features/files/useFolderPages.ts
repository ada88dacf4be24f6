import { useCallback, useEffect, useRef, useState } from 'react';
import { filesApi, type FileNode, type SortKey, type SortOrder } from './api.js';

/**
 * Rows per request. The route allows up to 1000; 500 keeps one response small (~150 kB) while a
 * fast scroll through 10,000 entries needs only a handful of requests.
 */
export const FOLDER_PAGE_SIZE = 500;

interface Loaded {
  folder: FileNode;
  total: number;
  pages: Map<number, FileNode[]>;
}

export interface FolderPages {
  /** Null until the first page of this folder arrived. */
  data: Loaded | null;
  error: string | null;
  itemAt(index: number): FileNode | undefined;
  /** Every loaded item in listing order (the preview walks these). */
  loadedItems(): FileNode[];
  /** Asks for the pages holding rows start..end (inclusive) that are not loaded or on their way. */
  ensure(start: number, end: number): void;
  /** Fetches the rows the user is looking at again (after a change), keeping them on screen meanwhile. */
  reload(): Promise<void>;
}

const pageOf = (index: number) => Math.floor(index / FOLDER_PAGE_SIZE);
/** How long the view must rest before the pages it shows are fetched. */
const SETTLE_MS = 120;

/**
 * A folder listing loaded page by page wherever the user scrolls: the total is known from the
 * first answer, so the list can be as tall as the folder at once and a jump to the end fetches
 * the last page directly instead of every page before it.
 */
export function useFolderPages(folderId: string, sort: { key: SortKey; order: SortOrder }, refreshKey: number, errorText: (e: unknown) => string): FolderPages {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A generation per folder/sort/refresh: answers to an older one are dropped.
  const generation = useRef(0);
  const inflight = useRef(new Set<number>());
  const controller = useRef(new AbortController());
  const lastRange = useRef<[number, number]>([0, 0]);
  const dataRef = useRef<Loaded | null>(null);
  dataRef.current = data;
  const errorTextRef = useRef(errorText);
  errorTextRef.current = errorText;
  const query = useRef({ folderId, sort });
  query.current = { folderId, sort };

  const fetchPage = useCallback((page: number, signal: AbortSignal) => {
    const { folderId: id, sort: s } = query.current;
    return filesApi.children(id, { offset: page * FOLDER_PAGE_SIZE, limit: FOLDER_PAGE_SIZE, sort: s.key, order: s.order }, signal);
  }, []);

  const fail = (e: unknown) => {
    if ((e as Error).name !== 'AbortError') setError(errorTextRef.current(e));
  };

  /** Starts a new generation and replaces the data with the pages around the last range once they all arrived. */
  const restart = useCallback(async () => {
    controller.current.abort();
    controller.current = new AbortController();
    const signal = controller.current.signal;
    const gen = ++generation.current;
    inflight.current = new Set();
    const [start, end] = lastRange.current;
    const wanted: number[] = [];
    for (let p = pageOf(start); p <= pageOf(end); p++) wanted.push(p);
    try {
      const answers = await Promise.all(wanted.map((p) => fetchPage(p, signal)));
      if (gen !== generation.current) return;
      const last = answers[answers.length - 1]!;
      const pages = new Map<number, FileNode[]>();
      answers.forEach((a, i) => {
        if (a.total === last.total) pages.set(wanted[i]!, a.items);
      });
      setData({ folder: last.folder, total: last.total, pages });
      setError(null);
    } catch (e) {
      if (gen === generation.current) fail(e);
    }
    // fail and fetchPage are stable in effect (refs inside).
  }, []);

  // Another folder: start from the top with nothing on screen.
  useEffect(() => {
    setData(null);
    setError(null);
    lastRange.current = [0, 0];
  }, [folderId]);

  // Folder, sort or a change elsewhere (upload finished): fetch what is on screen again.
  useEffect(() => {
    void restart();
  }, [folderId, sort.key, sort.order, refreshKey, restart]);

  useEffect(() => () => controller.current.abort(), []);

  const settle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(settle.current), []);

  const fetchRange = useCallback(
    (from: number, to: number) => {
      const current = dataRef.current;
      if (!current) return;
      const gen = generation.current;
      const signal = controller.current.signal;
      for (let p = pageOf(from); p <= pageOf(to); p++) {
        if (current.pages.has(p) || inflight.current.has(p)) continue;
        inflight.current.add(p);
        fetchPage(p, signal)
          .then((r) => {
            if (gen !== generation.current) return;
            inflight.current.delete(p);
            setData((d) => {
              if (!d) return d;
              // The folder changed under us (someone added or removed items): other pages' offsets
              // no longer hold, so keep only this one; the others are fetched again when seen.
              const pages = d.total === r.total ? new Map(d.pages) : new Map<number, FileNode[]>();
              pages.set(p, r.items);
              return { folder: r.folder, total: r.total, pages };
            });
          })
          .catch((e: unknown) => {
            inflight.current.delete(p);
            if (gen === generation.current) fail(e);
          });
      }
    },
    [fetchPage],
  );

  // Pages are fetched once the view rests (a short pause): a fling or a jump to the end passes
  // over thousands of rows whose pages nobody looks at.
  const ensure = useCallback(
    (start: number, end: number) => {
      const current = dataRef.current;
      if (!current) return;
      const from = Math.max(0, start);
      const to = Math.min(current.total - 1, end);
      if (to < from) return;
      lastRange.current = [from, to];
      clearTimeout(settle.current);
      settle.current = setTimeout(() => fetchRange(...lastRange.current), SETTLE_MS);
    },
    [fetchRange],
  );

  const itemAt = useCallback((index: number) => data?.pages.get(pageOf(index))?.[index % FOLDER_PAGE_SIZE], [data]);
  const loadedItems = useCallback(() => {
    if (!data) return [];
    return [...data.pages.keys()].sort((a, b) => a - b).flatMap((p) => data.pages.get(p)!);
  }, [data]);

  return { data, error, itemAt, loadedItems, ensure, reload: restart };
}
