import { z } from 'zod';

const id = z.string().min(1).max(100);

export const nodeParams = z.object({ id }).strict();
export const versionParams = z.object({ id, versionId: id }).strict();
export const spaceParams = z.object({ id }).strict();

export const listQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
    sort: z.enum(['name', 'size', 'modifiedAt', 'kind']).default('name'),
    order: z.enum(['asc', 'desc']).default('asc'),
  })
  .strict();

// Names are checked by the service (names.ts); here only their size, so errors read the same everywhere.
const name = z.string().max(1000);

export const createFolderSchema = z.object({ name }).strict();
export const uploadQuery = z.object({ name }).strict();

export const onConflict = z.enum(['fail', 'overwrite']).default('fail');

export const patchNodeSchema = z
  .object({ name: name.optional(), parentId: id.optional(), onConflict })
  .strict()
  .refine((v) => v.name !== undefined || v.parentId !== undefined, 'give a new name, a new parentId, or both');

export const copySchema = z.object({ parentId: id, name: name.optional(), onConflict }).strict();

export const emptyBody = z.union([z.undefined(), z.null(), z.object({}).strict()]);

export const shareParams = z.object({ id, shareId: id }).strict();

const grantee = z.union([
  z.object({ type: z.literal('user'), id: id.optional(), login: z.string().min(1).max(320).optional() }).strict().refine((g) => (g.id === undefined) !== (g.login === undefined), 'give the person\'s id or login'),
  z.object({ type: z.literal('group'), id: id.optional(), name: z.string().min(1).max(200).optional() }).strict().refine((g) => (g.id === undefined) !== (g.name === undefined), 'give the group\'s id or name'),
]);

export const createShareSchema = z.object({ grantee, role: z.enum(['view', 'edit']) }).strict();
export const updateShareSchema = z.object({ role: z.enum(['view', 'edit']) }).strict();

export const linkParams = z.object({ id, linkId: id }).strict();
export const createLinkSchema = z
  .object({
    role: z.enum(['view', 'edit', 'upload']),
    password: z.string().min(8).max(1000).optional(),
    expiresAt: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

const token = z.string().min(1).max(200);
export const publicLinkParams = z.object({ token }).strict();
export const publicNodeParams = z.object({ token, nodeId: id }).strict();
export const unlockSchema = z.object({ password: z.string().min(1).max(1000) }).strict();

export const recentQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();
export const searchQuery = z
  .object({
    q: z.string().trim().min(2, 'type at least 2 characters').max(200, 'use at most 200 characters'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).max(10_000).default(0),
  })
  .strict();
