import { sql, type Kysely } from 'kysely';
import { withTables, type Database, type Tx } from '../../platform/db/database.js';
import type { PlatformTables } from '../../platform/db/platformTables.js';
import type {
  AppPasswordRow,
  GroupMemberRow,
  GroupRow,
  IdentityTables,
  LockoutRow,
  RecoveryCodeRow,
  SessionRow,
  UserRow,
  WebauthnCredentialRow,
} from './tables.js';

type Q = Kysely<PlatformTables & IdentityTables>;

/** LIKE pattern matching `text` anywhere, with the wildcards in it taken literally. */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** All of identity's SQL. Every method takes an optional transaction so services can group writes. */
export class IdentityStore {
  constructor(private readonly database: Database) {}

  private q(tx?: Tx): Q {
    return withTables<IdentityTables>(tx ?? this.database.db);
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.database.transaction(fn);
  }

  // ---- users

  async countUsers(tx?: Tx): Promise<number> {
    const r = await this.q(tx).selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * Active administrators. Inside a transaction on PostgreSQL their rows stay locked until it
   * ends, so two admins demoting each other at once cannot both see "another admin remains".
   */
  async countActiveAdmins(tx?: Tx): Promise<number> {
    let query = this.q(tx).selectFrom('users').select('id').where('is_admin', '=', 1).where('status', '=', 'active').orderBy('id');
    if (tx && this.database.dialect === 'postgres') query = query.forUpdate();
    return (await query.execute()).length;
  }

  userById(id: string, tx?: Tx): Promise<UserRow | undefined> {
    return this.q(tx).selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** By username or e-mail, both compared lowercased. */
  userByLogin(login: string, tx?: Tx): Promise<UserRow | undefined> {
    // PostgreSQL refuses NUL in text; such a login cannot exist anyway.
    if (login.includes('\u0000')) return Promise.resolve(undefined);
    const l = login.toLowerCase();
    return this.q(tx)
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb.or([eb('username', '=', l), eb('email_lower', '=', l)]))
      .executeTakeFirst();
  }

  async usernameTaken(username: string, tx?: Tx): Promise<boolean> {
    const r = await this.q(tx).selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
    return r !== undefined;
  }

  async emailTaken(emailLower: string, exceptId: string | null, tx?: Tx): Promise<boolean> {
    let query = this.q(tx).selectFrom('users').select('id').where('email_lower', '=', emailLower);
    if (exceptId) query = query.where('id', '!=', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  async insertUser(row: UserRow, tx?: Tx): Promise<void> {
    await this.q(tx).insertInto('users').values(row).execute();
  }

  async updateUser(id: string, patch: Partial<Omit<UserRow, 'id'>>, tx?: Tx): Promise<void> {
    await this.q(tx).updateTable('users').set(patch).where('id', '=', id).execute();
  }

  async deleteUser(id: string, tx?: Tx): Promise<void> {
    await this.q(tx).deleteFrom('users').where('id', '=', id).execute();
  }

  async listUsers(opts: { query?: string; limit: number; offset: number }): Promise<{ rows: UserRow[]; total: number }> {
    let base = this.q().selectFrom('users');
    if (opts.query) {
      const like = containsPattern(opts.query);
      base = base.where((eb) =>
        eb.or([
          eb('username', 'like', sql<string>`${like} escape '\\'`),
          eb('email_lower', 'like', sql<string>`${like} escape '\\'`),
          eb(sql<string>`lower(display_name)`, 'like', sql<string>`${like} escape '\\'`),
        ]),
      );
    }
    const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await base.selectAll().orderBy('username').limit(opts.limit).offset(opts.offset).execute();
    return { rows, total: Number(total.n) };
  }

  /** Records the TOTP time step just used; false when it (or a later one) was used already. */
  async advanceTotpStep(id: string, step: number, tx?: Tx): Promise<boolean> {
    const r = await this.q(tx)
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  // ---- groups

  groupById(id: string, tx?: Tx): Promise<GroupRow | undefined> {
    return this.q(tx).selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  groupByName(name: string, tx?: Tx): Promise<GroupRow | undefined> {
    return this.q(tx).selectFrom('groups').selectAll().where('name', '=', name).executeTakeFirst();
  }

  listGroups(): Promise<GroupRow[]> {
    return this.q().selectFrom('groups').selectAll().orderBy('name').execute();
  }

  async memberCounts(): Promise<Map<string, number>> {
    const rows = await this.q()
      .selectFrom('group_members')
      .select(['group_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('group_id')
      .execute();
    return new Map(rows.map((r) => [r.group_id, Number(r.n)]));
  }

  async insertGroup(row: GroupRow, tx?: Tx): Promise<void> {
    await this.q(tx).insertInto('groups').values(row).execute();
  }

  async updateGroup(id: string, patch: Partial<Omit<GroupRow, 'id'>>, tx?: Tx): Promise<void> {
    await this.q(tx).updateTable('groups').set(patch).where('id', '=', id).execute();
  }

  async deleteGroup(id: string, tx?: Tx): Promise<void> {
    await this.q(tx).deleteFrom('group_members').where('group_id', '=', id).execute();
    await this.deleteMembershipsOf('group', id, tx);
    await this.q(tx).deleteFrom('groups').where('id', '=', id).execute();
  }

  membersOf(groupId: string, tx?: Tx): Promise<GroupMemberRow[]> {
    return this.q(tx).selectFrom('group_members').selectAll().where('group_id', '=', groupId).orderBy('created_at').execute();
  }

  /** Returns false when the membership already existed. */
  async addMember(row: GroupMemberRow, tx?: Tx): Promise<boolean> {
    const r = await this.q(tx)
      .insertInto('group_members')
      .values(row)
      .onConflict((oc) => oc.columns(['group_id', 'member_type', 'member_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async removeMember(groupId: string, type: string, memberId: string, tx?: Tx): Promise<boolean> {
    const r = await this.q(tx)
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .where('member_type', '=', type)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async deleteMembershipsOf(type: 'user' | 'group', id: string, tx?: Tx): Promise<void> {
    await this.q(tx).deleteFrom('group_members').where('member_type', '=', type).where('member_id', '=', id).execute();
  }

  /** Every group-in-group edge; small enough to walk in memory. */
  groupEdges(tx?: Tx): Promise<{ group_id: string; member_id: string }[]> {
    return this.q(tx).selectFrom('group_members').select(['group_id', 'member_id']).where('member_type', '=', 'group').execute();
  }

  userMemberships(userIds: string[], tx?: Tx): Promise<{ group_id: string; member_id: string }[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.q(tx).selectFrom('group_members').select(['group_id', 'member_id']).where('member_type', '=', 'user').where('member_id', 'in', userIds).execute();
  }

  /**
   * The groups each of `userIds` belongs to, directly or through nested groups, walking up from
   * their own memberships only (not every group-in-group edge of the organisation). UNION drops
   * repeats, so the walk ends even on a cycle; plain recursive SQL that SQLite and PostgreSQL share.
   */
  private ancestors(userIds: string[], tx?: Tx) {
    return this.q(tx).withRecursive('ancestors(user_id, group_id)', (db) =>
      db
        .selectFrom('group_members')
        .select(['member_id as user_id', 'group_id'])
        .where('member_type', '=', 'user')
        .where('member_id', 'in', userIds)
        .union((eb) =>
          eb
            .selectFrom('group_members as gm')
            .innerJoin('ancestors', 'ancestors.group_id', 'gm.member_id')
            .select(['ancestors.user_id', 'gm.group_id'])
            .where('gm.member_type', '=', 'group'),
        ),
    );
  }

  effectiveMemberships(userIds: string[], tx?: Tx): Promise<{ user_id: string; group_id: string }[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.ancestors(userIds, tx).selectFrom('ancestors').select(['user_id', 'group_id']).execute();
  }

  /** Which of `userIds` belong (directly or nested) to a group that requires 2FA; one statement. */
  async usersRequiring2fa(userIds: string[], tx?: Tx): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.ancestors(userIds, tx)
      .selectFrom('ancestors')
      .innerJoin('groups', 'groups.id', 'ancestors.group_id')
      .where('groups.require_2fa', '=', 1)
      .select('ancestors.user_id')
      .distinct()
      .execute();
    return new Set(rows.map((r) => r.user_id));
  }

  async peopleNames(ids: string[]): Promise<Map<string, { username: string; displayName: string }>> {
    const out = new Map<string, { username: string; displayName: string }>();
    // In slices: SQLite takes at most 32,766 bound values per statement, and the hourly sweep of
    // deleted people's spaces asks about everyone.
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.q().selectFrom('users').select(['id', 'username', 'display_name']).where('id', 'in', ids.slice(i, i + 500)).execute();
      for (const r of rows) out.set(r.id, { username: r.username, displayName: r.display_name });
    }
    return out;
  }

  async namesOf(type: 'user' | 'group', ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    if (type === 'user') {
      const rows = await this.q().selectFrom('users').select(['id', 'username as name']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, r.name]));
    }
    const rows = await this.q().selectFrom('groups').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  // ---- sessions

  async insertSession(row: SessionRow, tx?: Tx): Promise<void> {
    await this.q(tx).insertInto('sessions').values(row).execute();
  }

  sessionByTokenHash(hash: string, tx?: Tx): Promise<SessionRow | undefined> {
    return this.q(tx).selectFrom('sessions').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  sessionById(id: string, tx?: Tx): Promise<SessionRow | undefined> {
    return this.q(tx).selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async updateSession(id: string, patch: Partial<Omit<SessionRow, 'id'>>, tx?: Tx): Promise<void> {
    await this.q(tx).updateTable('sessions').set(patch).where('id', '=', id).execute();
  }

  async deleteSession(id: string, tx?: Tx): Promise<boolean> {
    const r = await this.q(tx).deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async deleteSessionsOfUser(userId: string, exceptId: string | null, tx?: Tx): Promise<number> {
    let query = this.q(tx).deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId) query = query.where('id', '!=', exceptId);
    const r = await query.executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async deleteSessionsSeenBefore(cutoff: string): Promise<void> {
    await this.q().deleteFrom('sessions').where('last_seen_at', '<', cutoff).execute();
  }

  sessionsOfUser(userId: string, seenAfter: string): Promise<SessionRow[]> {
    return this.q().selectFrom('sessions').selectAll().where('user_id', '=', userId).where('last_seen_at', '>=', seenAfter).orderBy('created_at', 'desc').execute();
  }

  allSessions(seenAfter: string): Promise<(SessionRow & { username: string })[]> {
    return this.q()
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('sessions')
      .select('users.username')
      .where('sessions.last_seen_at', '>=', seenAfter)
      .orderBy('sessions.last_seen_at', 'desc')
      .limit(1000)
      .execute();
  }

  // ---- recovery codes

  async replaceRecoveryCodes(userId: string, rows: RecoveryCodeRow[], tx?: Tx): Promise<void> {
    await this.q(tx).deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    if (rows.length) await this.q(tx).insertInto('recovery_codes').values(rows).execute();
  }

  /** Marks the code used; false when it does not exist or was used already (also by a racing request). */
  async useRecoveryCode(userId: string, hash: string, at: string, tx?: Tx): Promise<boolean> {
    const r = await this.q(tx)
      .updateTable('recovery_codes')
      .set({ used_at: at })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async countUnusedRecoveryCodes(userId: string, tx?: Tx): Promise<number> {
    const r = await this.q(tx)
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  // ---- webauthn

  credentialsOf(userId: string, tx?: Tx): Promise<WebauthnCredentialRow[]> {
    return this.q(tx).selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  }

  credentialByCredentialId(credentialId: string): Promise<WebauthnCredentialRow | undefined> {
    return this.q().selectFrom('webauthn_credentials').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
  }

  async insertCredential(row: WebauthnCredentialRow, tx?: Tx): Promise<void> {
    await this.q(tx).insertInto('webauthn_credentials').values(row).execute();
  }

  async updateCredentialUse(id: string, counter: number, at: string, tx?: Tx): Promise<void> {
    await this.q(tx).updateTable('webauthn_credentials').set({ counter, last_used_at: at }).where('id', '=', id).execute();
  }

  async deleteCredential(userId: string, id: string, tx?: Tx): Promise<WebauthnCredentialRow | undefined> {
    const row = await this.q(tx).selectFrom('webauthn_credentials').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    if (row) await this.q(tx).deleteFrom('webauthn_credentials').where('id', '=', id).execute();
    return row;
  }

  async credentialCounts(userIds: string[], tx?: Tx): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.q(tx)
      .selectFrom('webauthn_credentials')
      .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('user_id', 'in', userIds)
      .groupBy('user_id')
      .execute();
    return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
  }

  // ---- app passwords

  appPasswordsOf(userId: string): Promise<AppPasswordRow[]> {
    return this.q().selectFrom('app_passwords').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  }

  appPasswordByHash(userId: string, hash: string): Promise<AppPasswordRow | undefined> {
    return this.q().selectFrom('app_passwords').selectAll().where('user_id', '=', userId).where('secret_hash', '=', hash).executeTakeFirst();
  }

  async insertAppPassword(row: AppPasswordRow, tx?: Tx): Promise<void> {
    await this.q(tx).insertInto('app_passwords').values(row).execute();
  }

  async touchAppPassword(id: string, at: string): Promise<void> {
    await this.q().updateTable('app_passwords').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  async deleteAppPassword(userId: string, id: string, tx?: Tx): Promise<AppPasswordRow | undefined> {
    const row = await this.q(tx).selectFrom('app_passwords').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    if (row) await this.q(tx).deleteFrom('app_passwords').where('id', '=', id).execute();
    return row;
  }

  // ---- lockouts

  /** The counter rows of those of `keys` that have one, in one statement (every protocol request asks). */
  lockouts(keys: string[], tx?: Tx): Promise<LockoutRow[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.q(tx).selectFrom('login_lockouts').selectAll().where('key', 'in', keys).execute();
  }

  /**
   * The counter row for `key`, created when missing and locked until `tx` ends on PostgreSQL, so
   * failures counted by several processes at once are all counted.
   */
  async lockoutForUpdate(key: string, kind: string, at: string, tx: Tx): Promise<LockoutRow> {
    await this.q(tx)
      .insertInto('login_lockouts')
      .values({ key, kind, failures: 0, window_start: at, locked_until: null, updated_at: at })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    let query = this.q(tx).selectFrom('login_lockouts').selectAll().where('key', '=', key);
    if (this.database.dialect === 'postgres') query = query.forUpdate();
    return query.executeTakeFirstOrThrow();
  }

  async saveLockout(row: LockoutRow, tx?: Tx): Promise<void> {
    const { key, ...rest } = row;
    await this.q(tx)
      .insertInto('login_lockouts')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet(rest))
      .execute();
  }

  async deleteLockout(key: string, tx?: Tx): Promise<boolean> {
    const r = await this.q(tx).deleteFrom('login_lockouts').where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  activeLockouts(at: string): Promise<LockoutRow[]> {
    return this.q().selectFrom('login_lockouts').selectAll().where('locked_until', '>', at).orderBy('locked_until', 'desc').execute();
  }

  // ---- settings (the platform's key/value table)

  async setting(key: string, tx?: Tx): Promise<string | undefined> {
    const r = await this.q(tx).selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return r?.value;
  }

  async putSetting(key: string, value: string, at: string, tx?: Tx): Promise<void> {
    await this.q(tx)
      .insertInto('settings')
      .values({ key, value, updated_at: at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
      .execute();
  }

  /** Deletes the setting only if it still holds `value`: the single-use step of the setup token. */
  async takeSetting(key: string, value: string, tx?: Tx): Promise<boolean> {
    const r = await this.q(tx).deleteFrom('settings').where('key', '=', key).where('value', '=', value).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
