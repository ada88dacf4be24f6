import type { Readable } from 'node:stream';
import { ConflictError, NotFoundError, ValidationError } from '../../../platform/errors.js';
import type { FilesActor, FilesContext } from '../context.js';
import { nameProblem } from '../names.js';
import type { NodeRow, SpaceRow } from '../tables.js';
import type { WriteFileInput } from './writeFile.js';
import { WopiLockConflictError } from './wopiLocks.js';
import { freeChildName } from './freeChildName.js';

/** The service's write and move, so editors' writes get every rule other writers get. */
export interface WopiWriters {
  writeFile(actor: FilesActor, input: WriteFileInput): Promise<{ node: NodeRow; created: boolean }>;
  move(actor: FilesActor, nodeId: string, to: { parentId: string; name: string; overwrite: boolean }, wopiLock?: string): Promise<{ node: NodeRow }>;
}

/** PutRelativeFile (Save As): the target exists and may not be replaced; `validTarget` is a free name. */
export class RelativeTargetConflictError extends ConflictError {
  constructor(
    readonly validTarget: string,
    readonly currentLock: string | null,
  ) {
    super(currentLock !== null ? 'A file of this name exists and is open in an editor.' : 'A file of this name exists already.', 'name_taken');
  }
}

/** RenameFile / PutRelativeFile with a name the files domain refuses (400 + X-WOPI-InvalidFileNameError). */
export class InvalidWopiNameError extends ValidationError {
  constructor(readonly problem: string) {
    super(`Invalid name: ${problem}.`);
  }
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

function baseOf(name: string): string {
  const ext = extensionOf(name);
  return ext ? name.slice(0, -ext.length) : name;
}

/** Suggested names may be adjusted: characters a name cannot hold become "_". */
function legalised(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[/\u0000-\u001f\u007f-\u009f]/g, '_').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'document' : cleaned;
}

async function folderOf(ctx: FilesContext, node: NodeRow): Promise<{ space: SpaceRow; parent: NodeRow }> {
  const parent = node.parent_id ? await ctx.store.node(node.parent_id) : undefined;
  const space = await ctx.store.space(node.space_id);
  if (!parent || parent.trash_id !== null || !space) throw new NotFoundError('This file does not exist (any more).');
  return { space, parent };
}

/** PutFile: replaces this very file (by id) as the holder of `lockId`, through every write rule. */
export async function putWopiFile(ctx: FilesContext, writers: WopiWriters, actor: FilesActor, file: NodeRow, lockId: string, body: Readable, contentLength: number | null): Promise<NodeRow> {
  const { space, parent } = await folderOf(ctx, file);
  const { node } = await writers.writeFile(actor, { space, parent, name: file.name, fileId: file.id, wopiLock: lockId, body, contentType: file.content_type, contentLength });
  return node;
}

/**
 * Save As next to `source`. Suggested mode: the name may change to be legal and free (an
 * extension alone keeps the source's base name). Specific mode: the name is used as given; a
 * taken name needs `overwrite`, and a file an editor holds is never replaced.
 */
export async function putRelativeFile(
  ctx: FilesContext,
  writers: WopiWriters,
  actor: FilesActor,
  source: NodeRow,
  input: { suggested: string | null; relative: string | null; overwrite: boolean; body: Readable; size: number | null },
): Promise<NodeRow> {
  if ((input.suggested === null) === (input.relative === null)) {
    throw new ValidationError('Send exactly one of X-WOPI-SuggestedTarget and X-WOPI-RelativeTarget.');
  }
  const { space, parent } = await folderOf(ctx, source);
  const write = (name: string, ifNoneMatch: string | null) =>
    writers.writeFile(actor, { space, parent, name, body: input.body, contentLength: input.size, ifNoneMatch });

  if (input.suggested !== null) {
    const wanted = legalised(input.suggested.startsWith('.') ? baseOf(source.name) + input.suggested : input.suggested);
    if (nameProblem(wanted)) throw new InvalidWopiNameError(nameProblem(wanted)!);
    // The name is free when chosen; a racing writer taking it meanwhile fails If-None-Match.
    return (await write(await freeChildName(ctx, parent.id, wanted), '*')).node;
  }

  const name = input.relative!;
  const problem = nameProblem(name);
  if (problem) throw new InvalidWopiNameError(problem);
  const existing = await ctx.store.liveChild(parent.id, name);
  if (existing && (!input.overwrite || existing.kind === 'folder')) throw new RelativeTargetConflictError(await freeChildName(ctx, parent.id, name), null);
  try {
    return (await write(name, input.overwrite ? null : '*')).node;
  } catch (e) {
    if (e instanceof WopiLockConflictError) throw new RelativeTargetConflictError(await freeChildName(ctx, parent.id, name), e.currentLock);
    if (e instanceof ConflictError && e.code === 'is_folder') throw new RelativeTargetConflictError(await freeChildName(ctx, parent.id, name), null);
    throw e;
  }
}

/**
 * RenameFile: `requested` is the new name without extension (the extension stays). A taken
 * name gets " (n)". Answers the name without extension, as the spec wants it back.
 */
export async function renameWopiFile(ctx: FilesContext, writers: WopiWriters, actor: FilesActor, node: NodeRow, requested: string, lockId: string | undefined): Promise<string> {
  const ext = extensionOf(node.name);
  const wanted = requested + ext;
  const problem = requested.trim() === '' ? 'a name cannot be empty' : nameProblem(wanted);
  if (problem) throw new InvalidWopiNameError(problem);
  const { parent } = await folderOf(ctx, node);
  const name = await freeChildName(ctx, parent.id, wanted, undefined, node.name);
  const { node: renamed } = await writers.move(actor, node.id, { parentId: parent.id, name, overwrite: false }, lockId);
  return baseOf(renamed.name);
}
