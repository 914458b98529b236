/**
 * Who may do what with a guild's action items (member permissions) and the privacy audit log.
 * Stored permissions narrow what a member's own API token may do here; tokens with every ability
 * (admins) and the local operator are not narrowed, so nobody can lock the guild out of itself.
 * A member without stored permissions keeps what the token's abilities allow.
 */
import type { AuditAction } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import { forbidden } from '../errors.js';
import { newId } from '../ids.js';
import type { Db, Tx } from '../tx.js';

export const PERMISSION_KEYS = ['can_configure_bot', 'can_manage_action_items', 'can_view_analytics', 'can_trigger_sweeps'] as const;
export type PermissionKey = (typeof PERMISSION_KEYS)[number];
export type Permissions = Record<PermissionKey, boolean>;

const WHAT: Record<PermissionKey, string> = {
  can_configure_bot: 'configure monitoring (config, monitored channels, permissions)',
  can_manage_action_items: 'create, change or delete action items',
  can_view_analytics: 'view analytics and stats',
  can_trigger_sweeps: 'trigger sweeps',
};

export const ALL_PERMISSIONS: Permissions = { can_configure_bot: true, can_manage_action_items: true, can_view_analytics: true, can_trigger_sweeps: true };

export async function storedPermissions(db: Db | Tx, guildId: string, userId: string): Promise<Permissions | null> {
  const row = await db.selectFrom('member_permissions').select([...PERMISSION_KEYS]).where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst();
  return row ?? null;
}

export async function requirePermission(db: Db | Tx, actor: Actor, guildId: string, key: PermissionKey): Promise<void> {
  if (actor.abilities === 'all' || actor.tokenId === null || actor.userId === null) return;
  const stored = await storedPermissions(db, guildId, actor.userId);
  if (stored && !stored[key]) {
    throw forbidden(`Member ${actor.userId} may not ${WHAT[key]} in guild ${guildId} (${key} is off). Ask someone who may configure the bot to turn it on.`);
  }
}

export interface AuditOrigin { ip?: string | undefined }

export async function audit(db: Db | Tx, entry: { guildId: string; action: AuditAction; actor: Actor; details: string; origin?: AuditOrigin | undefined; at: Date }): Promise<void> {
  await db.insertInto('privacy_audit').values({
    id: newId(), guild_id: entry.guildId, action: entry.action, user_id: entry.actor.userId,
    details: entry.details, ip_address: entry.origin?.ip ?? null, created_at: entry.at,
  }).execute();
}
