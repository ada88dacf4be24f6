import type { Readable } from 'node:stream';
import type { BlobRange, BlobReadOptions } from '../../platform/blobs/blobStore.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors.js';
import type { Actor, UserView } from '../identity/types.js';
import { groupSpaceUsage, setGroupSpaceQuota } from './commands/spaceQuota.js';
import type { FilesActor, FilesContext } from './context.js';
import { copyNode } from './commands/copyNode.js';
import { createFolder } from './commands/createFolder.js';
import { freeChildName } from './commands/freeChildName.js';
import { moveNode } from './commands/moveNode.js';
import { groupSpaceByName, liveNodeFor, pathOf, personalSpace, quotaOf, resolvePath, resolveWithParent, spaceFor, spacesOf } from './commands/spaces.js';
import { accessOf, createShare, deleteShare, listShares, sharedWithMe, updateShare, type GranteeInput } from './commands/shares.js';
import { assertUnlocked, createLink, isUnlocked, listLinks, nodeInLink, openLink, revokeLink, unlockLink, type NewLink, type OpenLink } from './commands/links.js';
import { emptyTrash, listTrash, purgeTrash, restoreTrash, trashNode } from './commands/trash.js';
import { listVersions, restoreVersion } from './commands/versions.js';
import { writeFile, type WriteFileInput } from './commands/writeFile.js';
import { createWopiCommands } from './commands/wopi.js';
import { searchFiles } from './commands/searchFiles.js';
import type { SortKey } from './store.js';
import { authorize, type FilesAction } from './policy.js';
import { createPreviews } from './preview/previews.js';
import { createOfficeConverter } from './preview/soffice.js';
import { zipFolder } from './commands/zipFolder.js';
import { addFavorite, listFavorites, markOpened, recentFiles, removeFavorite } from './commands/favorites.js';
import { appendToUpload, createUpload, ownUpload, terminateUpload, type NewUpload } from './uploads/uploads.js';
import type { ListedNode, NodeRow, SpaceRow } from './tables.js';
import { openContent } from './content.js';

export interface ListPage {
  limit: number;
  offset: number;
  sort: SortKey;
  order: 'asc' | 'desc';
}

/** The files domain: every adapter (REST, WebDAV, later WOPI and the web app) calls this. */
export function createFilesService(ctx: FilesContext) {
  const core = {
    spacesOf: (user: UserView) => spacesOf(ctx, user),
    personalSpace: (user: UserView) => personalSpace(ctx, user),
    groupSpaceByName: (user: UserView, name: string) => groupSpaceByName(ctx, user, name),
    space: (user: UserView, id: string) => spaceFor(ctx, user, id),
    node: (user: UserView, id: string, action: FilesAction = 'view') => liveNodeFor(ctx, user, id, action),
    authorize: (user: UserView, action: FilesAction, node: NodeRow | string, space?: SpaceRow) => authorize(ctx, user, action, node, space),
    resolvePath: (space: SpaceRow, names: string[]) => resolvePath(ctx, space, names),
    resolveWithParent: (space: SpaceRow, names: string[]) => resolveWithParent(ctx, space, names),
    pathOf: (node: NodeRow) => pathOf(ctx, node),
    /** Administration: group spaces' usage and quotas. */
    groupSpaceUsage: () => groupSpaceUsage(ctx),
    setGroupSpaceQuota: (actor: Actor, spaceId: string, quotaBytes: number | null) => setGroupSpaceQuota(ctx, actor, spaceId, quotaBytes),
    async usage(space: SpaceRow): Promise<{ usedBytes: number; quotaBytes: number | null }> {
      return { usedBytes: await ctx.store.usedBytes(space.id), quotaBytes: await quotaOf(ctx, space) };
    },

    async listChildren(user: UserView, folderId: string, page: ListPage): Promise<{ folder: NodeRow; items: NodeRow[]; total: number }> {
      const { node } = await liveNodeFor(ctx, user, folderId);
      if (node.kind !== 'folder') throw new ConflictError('This item is a file, not a folder.', 'not_a_folder');
      const [items, total] = await Promise.all([ctx.store.children(node.id, page), ctx.store.countLiveChildren(node.id)]);
      return { folder: node, items, total };
    },
    /** Every live child, for WebDAV PROPFIND Depth 1. */
    allChildren: (folder: NodeRow) => ctx.store.allLiveChildren(folder.id),
    /** A folder's live children by name, a page at a time: a huge folder is never all in memory. */
    async *childPages(folder: NodeRow, pageSize = 500): AsyncGenerator<ListedNode[]> {
      for (let after: string | null = null; ; ) {
        const page = await ctx.store.liveChildrenAfter(folder.id, after, pageSize);
        if (page.length > 0) yield page;
        if (page.length < pageSize) return;
        after = page.at(-1)!.name;
      }
    },

    async createFolder(actor: FilesActor, parentId: string, name: string): Promise<NodeRow> {
      await liveNodeFor(ctx, actor.user, parentId, 'edit');
      return createFolder(ctx, actor, parentId, name);
    },

    async writeFile(actor: FilesActor, input: WriteFileInput) {
      // Replacing one known file needs edit access to it (an edit share on just that file will do).
      if (input.fileId !== undefined) await authorize(ctx, actor.user, 'edit', input.fileId);
      else await authorize(ctx, actor.user, 'edit', input.parent, input.space);
      return writeFile(ctx, actor, input);
    },

    async readFile(node: NodeRow, range?: BlobRange, opts?: BlobReadOptions): Promise<Readable> {
      if (node.kind !== 'file' || !node.blob_key) throw new NotFoundError('This item is a folder, not a file.');
      return openContent(ctx, node.blob_key, range, opts);
    },

    /** A folder as a zip stream; the caller checked view permission (service.node or a link). */
    zipFolder: (folder: NodeRow) => zipFolder(ctx, folder),

    /** `wopiLock`: an office editor renaming the file it holds (see commands/wopiLocks.ts). */
    async move(actor: FilesActor, nodeId: string, to: { parentId: string; name: string; overwrite: boolean }, wopiLock?: string) {
      const source = await liveNodeFor(ctx, actor.user, nodeId, 'edit');
      const destination = await liveNodeFor(ctx, actor.user, to.parentId, 'edit');
      // Moving out of a space takes the item away from its people; someone it was only shared with may copy it instead.
      if (source.space.id !== destination.space.id && source.role !== 'space') {
        throw new ForbiddenError('Only members of the space this item belongs to can move it elsewhere; copy it instead.');
      }
      return moveNode(ctx, actor, nodeId, to, wopiLock);
    },

    async copy(actor: FilesActor, nodeId: string, to: { parentId: string; name: string; overwrite: boolean; shallow?: boolean }) {
      await liveNodeFor(ctx, actor.user, nodeId, 'view');
      await liveNodeFor(ctx, actor.user, to.parentId, 'edit');
      return copyNode(ctx, actor, nodeId, to);
    },

    async trash(actor: FilesActor, nodeId: string): Promise<void> {
      await liveNodeFor(ctx, actor.user, nodeId, 'edit');
      await trashNode(ctx, actor, nodeId);
    },
    listTrash: (user: UserView, spaceId: string) => listTrash(ctx, user, spaceId),
    restoreTrash: (actor: FilesActor, trashId: string) => restoreTrash(ctx, actor, trashId),
    purgeTrash: (actor: FilesActor, trashId: string) => purgeTrash(ctx, actor, trashId),
    emptyTrash: (actor: FilesActor, spaceId: string) => emptyTrash(ctx, actor, spaceId),

    listVersions: (user: UserView, nodeId: string) => listVersions(ctx, user, nodeId),
    restoreVersion: (actor: FilesActor, nodeId: string, versionId: string) => restoreVersion(ctx, actor, nodeId, versionId),

    listShares: (user: UserView, nodeId: string) => listShares(ctx, user, nodeId),
    createShare: (actor: FilesActor, nodeId: string, input: { grantee: GranteeInput; role: 'view' | 'edit' }) => createShare(ctx, actor, nodeId, input),
    updateShare: (actor: FilesActor, nodeId: string, shareId: string, role: 'view' | 'edit') => updateShare(ctx, actor, nodeId, shareId, role),
    deleteShare: (actor: FilesActor, nodeId: string, shareId: string) => deleteShare(ctx, actor, nodeId, shareId),
    sharedWithMe: (user: UserView) => sharedWithMe(ctx, user),
    access: (user: UserView, nodeId: string) => accessOf(ctx, user, nodeId),

    createLink: (actor: FilesActor, nodeId: string, input: NewLink) => createLink(ctx, actor, nodeId, input),
    listLinks: (user: UserView, nodeId: string) => listLinks(ctx, user, nodeId),
    revokeLink: (actor: FilesActor, nodeId: string, linkId: string) => revokeLink(ctx, actor, nodeId, linkId),
    /** Public links: everything below acts for the link's creator, within the link's item. */
    openLink: (token: string) => openLink(ctx, token),
    unlockLink: (open: OpenLink, password: string, ip: string) => unlockLink(ctx, open, password, ip),
    isLinkUnlocked: (open: OpenLink, access: string | null) => isUnlocked(ctx, open.link, access),
    assertLinkUnlocked: (open: OpenLink, access: string | null) => assertUnlocked(ctx, open.link, access),
    nodeInLink: (open: OpenLink, nodeId: string) => nodeInLink(ctx, open, nodeId),
    /** A name no live item in the folder holds: `wanted`, else "wanted (2)", "wanted (3)"… */
    freeChildName: (folder: NodeRow, wanted: string) => freeChildName(ctx, folder.id, wanted),
    /** Previews and thumbnails of a node the caller has already authorized for `view`. */
    previews: createPreviews(ctx, createOfficeConverter(ctx.platform.config.office)),

    addFavorite: (user: UserView, nodeId: string) => addFavorite(ctx, user, nodeId),
    removeFavorite: (user: UserView, nodeId: string) => removeFavorite(ctx, user, nodeId),
    listFavorites: (user: UserView) => listFavorites(ctx, user),
    recentFiles: (user: UserView, limit: number) => recentFiles(ctx, user, limit),
    /** The person opened the file (downloaded, previewed, opened in the editor): it shows in their Recent. */
    markOpened: (user: UserView, node: NodeRow) => markOpened(ctx, user, node),

    /** Resumable (tus) uploads: uploads/uploads.ts. */
    createUpload: (actor: FilesActor, input: NewUpload) => createUpload(ctx, actor, input),
    uploadStatus: (user: UserView, uploadId: string) => ownUpload(ctx, user, uploadId),
    appendToUpload: (actor: FilesActor, uploadId: string, offset: number, body: Readable) => appendToUpload(ctx, actor, uploadId, offset, body),
    terminateUpload: (user: UserView, uploadId: string) => terminateUpload(ctx, user, uploadId),

    /** By name and extracted text, over what the person may view. */
    search: (user: UserView, q: string, page: { limit: number; offset: number }) => searchFiles(ctx, user, q, page),
  };
  return { ...core, wopi: createWopiCommands(ctx, core) };
}

export type FilesService = ReturnType<typeof createFilesService>;
