import type { Readable } from 'node:stream';
import type { UserView } from '../../identity/types.js';
import type { FilesActor, FilesContext } from '../context.js';
import type { NodeRow } from '../tables.js';
import { issueWopiToken, mayEditFolderOf, openWopiToken } from './wopiAccess.js';
import { putRelativeFile, putWopiFile, renameWopiFile, type WopiWriters } from './wopiFiles.js';
import { currentWopiLock, lockWopi, refreshWopiLock, unlockWopi } from './wopiLocks.js';

/** What the WOPI adapter (office editors) may ask of the files domain. */
export function createWopiCommands(ctx: FilesContext, writers: WopiWriters) {
  return {
    issueToken: (user: UserView, nodeId: string) => issueWopiToken(ctx, user, nodeId),
    openToken: (token: string, nodeId: string) => openWopiToken(ctx, token, nodeId),
    mayEditFolderOf: (user: UserView, node: NodeRow) => mayEditFolderOf(ctx, user, node),
    currentLock: (nodeId: string) => currentWopiLock(ctx, nodeId),
    lock: (actor: FilesActor, node: NodeRow, lockId: string, oldLock?: string) => lockWopi(ctx, actor, node, lockId, oldLock),
    refreshLock: (actor: FilesActor, node: NodeRow, lockId: string) => refreshWopiLock(ctx, actor, node, lockId),
    unlock: (node: NodeRow, lockId: string) => unlockWopi(ctx, node, lockId),
    putFile: (actor: FilesActor, access: { node: NodeRow }, lockId: string, body: Readable, contentLength: number | null) => putWopiFile(ctx, writers, actor, access.node, lockId, body, contentLength),
    putRelative: (actor: FilesActor, source: NodeRow, input: { suggested: string | null; relative: string | null; overwrite: boolean; body: Readable; size: number | null }) =>
      putRelativeFile(ctx, writers, actor, source, input),
    rename: (actor: FilesActor, node: NodeRow, requested: string, lockId: string | undefined) => renameWopiFile(ctx, writers, actor, node, requested, lockId),
  };
}

export type WopiCommands = ReturnType<typeof createWopiCommands>;
