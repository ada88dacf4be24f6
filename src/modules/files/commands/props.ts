import { AppError, PayloadTooLargeError } from '../../../platform/errors.js';
import type { FilesActor, FilesContext } from '../context.js';
import { newEtag } from '../context.js';
import type { PropRow } from '../tables.js';

export interface PropOp {
  op: 'set' | 'remove';
  ns: string;
  name: string;
  /** XML fragment, for set. */
  value?: string;
}

const MAX_VALUE_CHARS = 64 * 1024;
const MAX_PROPS_PER_NODE = 200;

export function readProps(ctx: FilesContext, nodeId: string): Promise<PropRow[]> {
  return ctx.store.props(nodeId);
}

/** Applies the operations in document order, all or none (RFC 4918 PROPPATCH). */
export async function patchProps(ctx: FilesContext, actor: FilesActor, nodeId: string, ops: PropOp[]): Promise<void> {
  for (const op of ops) if ((op.value?.length ?? 0) > MAX_VALUE_CHARS) throw new PayloadTooLargeError(`A property value can have at most ${MAX_VALUE_CHARS} characters.`);
  return ctx.store.transaction(async (tx) => {
    for (const op of ops) {
      if (op.op === 'set') await ctx.store.setProp({ node_id: nodeId, ns: op.ns, name: op.name, value: op.value ?? '' }, tx);
      else await ctx.store.removeProp(nodeId, op.ns, op.name, tx);
    }
    if ((await ctx.store.props(nodeId, tx)).length > MAX_PROPS_PER_NODE) throw new AppError(507, 'too_many_properties', `An item can have at most ${MAX_PROPS_PER_NODE} properties.`);
    await ctx.store.updateNode(nodeId, { etag: newEtag(), modified_by: actor.user.id }, tx);
  });
}
