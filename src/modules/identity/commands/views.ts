import type { Tx } from '../../../platform/db/database.js';
import type { UserRow } from '../tables.js';
import type { UserView } from '../types.js';
import { presentUser } from '../presenters.js';
import type { IdentityContext } from './context.js';
import { mfaRequiredFor } from './membership.js';

/** UserViews for many rows with three queries in total, whatever the number of rows. */
export async function userViews(ctx: IdentityContext, rows: UserRow[], tx?: Tx): Promise<UserView[]> {
  const ids = rows.map((r) => r.id);
  const counts = await ctx.store.credentialCounts(ids, tx);
  const required = await mfaRequiredFor(ctx.store, ids, tx);
  return rows.map((r) => presentUser(r, { webauthnCount: counts.get(r.id) ?? 0, mfaRequired: required.get(r.id) ?? false }));
}

export async function userView(ctx: IdentityContext, row: UserRow, tx?: Tx): Promise<UserView> {
  const [view] = await userViews(ctx, [row], tx);
  return view!;
}

/** True when the person has a second factor they can sign in with. */
export function hasSecondFactor(view: UserView): boolean {
  return view.totpEnabled || view.webauthnCount > 0;
}
