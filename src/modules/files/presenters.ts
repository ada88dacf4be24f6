import type { AccessSummary, SharedItem, ShareView } from './commands/shares.js';
import type { SearchResult } from './commands/searchFiles.js';
import type { LinkRow, NodeRow, SpaceRow, VersionRow } from './tables.js';

export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

export function presentSpace(s: SpaceRow, usage: { usedBytes: number; quotaBytes: number | null }): Record<string, unknown> {
  return { id: s.id, kind: s.kind, name: s.name, rootId: s.root_id, usedBytes: usage.usedBytes, quotaBytes: usage.quotaBytes };
}

export function presentNode(n: NodeRow): Record<string, unknown> {
  return {
    id: n.id,
    spaceId: n.space_id,
    parentId: n.parent_id,
    name: n.name,
    kind: n.kind,
    size: Number(n.size),
    contentType: n.content_type,
    etag: quoteEtag(n.etag),
    createdAt: n.created_at,
    modifiedAt: n.modified_at,
  };
}

export function presentTrashItem(n: NodeRow): Record<string, unknown> {
  return { id: n.id, name: n.name, kind: n.kind, size: Number(n.size), originalPath: n.trash_path, deletedAt: n.trashed_at, deletedBy: n.trashed_by };
}

export function presentVersion(v: VersionRow): Record<string, unknown> {
  return { id: v.id, size: Number(v.size), contentType: v.content_type, etag: quoteEtag(v.etag), createdAt: v.created_at, createdBy: v.created_by };
}

export function presentShare(v: ShareView): Record<string, unknown> {
  return { id: v.share.id, nodeId: v.share.node_id, grantee: v.grantee, role: v.share.role, inherited: v.inherited, createdBy: v.share.created_by, createdAt: v.share.created_at, updatedAt: v.share.updated_at };
}

export function presentSharedItem(s: SharedItem): Record<string, unknown> {
  return { node: presentNode(s.node), role: s.role, sharedBy: s.sharedBy, sharedAt: s.sharedAt };
}

/** Never the token (only its hash is stored) nor the password hash. */
export function presentLink(l: LinkRow): Record<string, unknown> {
  return { id: l.id, nodeId: l.node_id, role: l.role, hasPassword: l.password_hash !== null, expiresAt: l.expires_at, revokedAt: l.revoked_at, createdBy: l.created_by, createdAt: l.created_at };
}

export function presentAccess(a: AccessSummary): Record<string, unknown> {
  return { yourRole: a.role, owner: a.owner, shares: a.shares.map(presentShare), links: a.links.map(presentLink) };
}

/** What a public link shows of an item: no space, owner or parent ids. */
export function presentPublicNode(n: NodeRow): Record<string, unknown> {
  return { id: n.id, name: n.name, kind: n.kind, size: Number(n.size), contentType: n.content_type, etag: quoteEtag(n.etag), modifiedAt: n.modified_at };
}

export function presentSearchResult(r: SearchResult): Record<string, unknown> {
  return { node: presentNode(r.node), path: r.path, folderId: r.folderId, space: { id: r.space.id, kind: r.space.kind, name: r.space.name }, snippet: r.snippet, matched: r.matched };
}
