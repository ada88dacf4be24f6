import type { NodeRow, SpaceRow, VersionRow } from './tables.js';

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
