import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../app/api.js';
import { filesApi, numberedName, uploadFile } from './api.js';
import { RESUMABLE_FROM_BYTES, uploadResumable } from './tusUpload.js';

/** A file to send, with the folders (relative to the target folder) it belongs in. */
export interface PickedFile {
  file: File;
  dirs: string[];
}

export type UploadMode = 'create' | 'replace' | 'keepBoth';
export type UploadStatus = 'queued' | 'uploading' | 'done' | 'error' | 'conflict';

export interface UploadJob {
  id: number;
  file: File;
  dirs: string[];
  name: string;
  targetId: string;
  mode: UploadMode;
  loaded: number;
  status: UploadStatus;
  error: unknown;
  /** The name it was stored under (differs when "keep both" numbered it). */
  storedAs: string | null;
}

const PARALLEL = 2;

/** Files from an <input type=file> (with webkitdirectory, each carries its relative path). */
export function pickedFromInput(list: FileList | null): PickedFile[] {
  const out: PickedFile[] = [];
  for (const file of Array.from(list ?? [])) {
    const parts = (file.webkitRelativePath || file.name).split('/').filter(Boolean);
    out.push({ file, dirs: parts.slice(0, -1) });
  }
  return out;
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, dirs: string[], out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, dirs });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const inner = [...dirs, entry.name];
  // readEntries answers in batches; an empty batch means the end.
  for (;;) {
    const batch = await readEntries(reader);
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, inner, out);
  }
}

/** Files and whole folders dropped on the page. */
export async function pickedFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(dt.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return Array.from(dt.files).map((file) => ({ file, dirs: [] }));
  const out: PickedFile[] = [];
  for (const e of entries) await walk(e, [], out);
  return out;
}

/**
 * The upload queue: two files at a time, sub-folders created on the way, a conflict waits for
 * the person's choice (replace = new version, keep both = numbered name, skip).
 */
export function useUploads(csrfToken: string, onIdle: () => void) {
  const [jobs, setJobs] = useState<UploadJob[]>([]);
  const jobsRef = useRef<UploadJob[]>([]);
  const active = useRef(0);
  const nextId = useRef(1);
  const folderCache = useRef(new Map<string, Promise<string>>());
  /** Stops a running upload; `forget` (a cancel) also drops what a resumable upload stored. */
  const aborts = useRef(new Map<number, (forget: boolean) => void>());
  const onIdleRef = useRef(onIdle);
  onIdleRef.current = onIdle;
  const tokenRef = useRef(csrfToken);
  tokenRef.current = csrfToken;

  const update = useCallback((id: number, patch: Partial<UploadJob>) => {
    jobsRef.current = jobsRef.current.map((j) => (j.id === id ? { ...j, ...patch } : j));
    setJobs(jobsRef.current);
  }, []);

  const ensureFolder = useCallback((parentId: string, name: string): Promise<string> => {
    const key = `${parentId}/${name}`;
    const cached = folderCache.current.get(key);
    if (cached) return cached;
    const p = (async () => {
      try {
        return (await filesApi.createFolder(parentId, name)).id;
      } catch (e) {
        if (!(e instanceof ApiError) || e.code !== 'name_taken') throw e;
        for (let offset = 0; ; offset += 1000) {
          const page = await filesApi.children(parentId, { offset, limit: 1000, sort: 'name', order: 'asc' });
          const found = page.items.find((n) => n.kind === 'folder' && n.name === name);
          if (found) return found.id;
          if (offset + page.items.length >= page.total || page.items.length === 0) throw e;
        }
      }
    })();
    p.catch(() => folderCache.current.delete(key));
    folderCache.current.set(key, p);
    return p;
  }, []);

  const runJob = useCallback(
    async (job: UploadJob) => {
      update(job.id, { status: 'uploading', loaded: 0, error: null });
      try {
        let folderId = job.targetId;
        for (const d of job.dirs) folderId = await ensureFolder(folderId, d);
        const send = (name: string, createOnly: boolean): Promise<{ name: string }> => {
          const common = { folderId, name, file: job.file, csrfToken: tokenRef.current, createOnly, onProgress: (loaded: number) => update(job.id, { loaded }) };
          // Large files go through tus: retried on their own and resumable after a reload.
          if (job.file.size >= RESUMABLE_FROM_BYTES) {
            const h = uploadResumable(common);
            aborts.current.set(job.id, h.abort);
            return h.promise;
          }
          const h = uploadFile(common);
          aborts.current.set(job.id, () => h.abort());
          return h.promise;
        };
        let stored: { name: string } | null = null;
        if (job.mode === 'keepBoth') {
          for (let n = 2; n < 100 && !stored; n++) {
            try {
              stored = await send(numberedName(job.name, n), true);
            } catch (e) {
              if (!(e instanceof ApiError) || e.status !== 412) throw e;
            }
          }
          if (!stored) throw new ApiError(409, { code: 'name_taken', message: 'No free name' });
        } else {
          stored = await send(job.name, job.mode === 'create');
        }
        update(job.id, { status: 'done', loaded: job.file.size, storedAs: stored.name });
      } catch (e) {
        if (e instanceof ApiError && e.status === 412 && job.mode === 'create') update(job.id, { status: 'conflict', loaded: 0 });
        else update(job.id, { status: 'error', error: e, loaded: 0 });
      } finally {
        aborts.current.delete(job.id);
      }
    },
    [ensureFolder, update],
  );

  const pump = useCallback(() => {
    while (active.current < PARALLEL) {
      const job = jobsRef.current.find((j) => j.status === 'queued');
      if (!job) break;
      active.current++;
      update(job.id, { status: 'uploading' });
      void runJob(job).finally(() => {
        active.current--;
        pump();
        if (active.current === 0 && !jobsRef.current.some((j) => j.status === 'queued')) onIdleRef.current();
      });
    }
  }, [runJob, update]);

  const add = useCallback(
    (targetId: string, files: PickedFile[], mode: UploadMode = 'create') => {
      if (files.length === 0) return;
      folderCache.current.clear();
      // A new batch after the last one finished starts a fresh list (conflicts still wait).
      if (active.current === 0) jobsRef.current = jobsRef.current.filter((j) => j.status === 'conflict' || j.status === 'queued');
      const added = files.map<UploadJob>(({ file, dirs }) => ({ id: nextId.current++, file, dirs, name: file.name, targetId, mode, loaded: 0, status: 'queued', error: null, storedAs: null }));
      jobsRef.current = [...jobsRef.current, ...added];
      setJobs(jobsRef.current);
      pump();
    },
    [pump],
  );

  const resolve = useCallback(
    (id: number, choice: 'replace' | 'keepBoth' | 'skip') => {
      if (choice === 'skip') {
        jobsRef.current = jobsRef.current.filter((j) => j.id !== id);
        setJobs(jobsRef.current);
        return;
      }
      update(id, { mode: choice, status: 'queued' });
      pump();
    },
    [pump, update],
  );

  const clearFinished = useCallback(() => {
    jobsRef.current = jobsRef.current.filter((j) => j.status === 'queued' || j.status === 'uploading' || j.status === 'conflict');
    setJobs(jobsRef.current);
  }, []);

  const cancel = useCallback((id: number) => {
    aborts.current.get(id)?.(true);
    jobsRef.current = jobsRef.current.map((j) => (j.id === id && j.status === 'queued' ? { ...j, status: 'error', error: new ApiError(0, { code: 'aborted', message: '' }) } : j));
    setJobs(jobsRef.current);
  }, []);

  useEffect(() => {
    const all = aborts.current;
    // Leaving the page keeps resumable uploads on the server: picking the file again resumes it.
    return () => all.forEach((abort) => abort(false));
  }, []);

  return { jobs, add, resolve, clearFinished, cancel };
}
