import { sql, type RawBuilder } from 'kysely';

/**
 * A recursive CTE, `<name> as (...)`, of `roots` (whole files_nodes rows) and every live item below
 * them, to follow `with recursive`. Every walk down the tree is this one, because of how SQLite
 * plans it without statistics (Tessera's databases have none):
 * - the walk carries whole rows: joining its ids back to files_nodes read the whole table;
 * - it descends only into folders, and looks children up by parent (files_nodes_parent).
 * `distinct` drops the second copy of a folder reached twice (a share inside a share).
 * subtreeWalks.test.ts checks the plans.
 */
export function liveWalk(name: string, roots: RawBuilder<unknown>, distinct: boolean): RawBuilder<unknown> {
  const self = sql.raw(name);
  return sql`${self} as (
    ${roots}
    ${distinct ? sql`union` : sql`union all`}
    select c.* from ${self} p join files_nodes c on c.parent_id = p.id where p.kind = 'folder' and c.trash_id is null
  )`;
}
