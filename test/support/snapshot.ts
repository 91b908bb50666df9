/**
 * The database's Sentry content by natural keys, for comparing two imports of the same data
 * (CLI vs pipeline, clean vs chaotic): ids, and values minted at import time (passwords, hashes,
 * "now" timestamps), are left out; FKs are shown as the referenced row's natural key.
 */
import type { Db } from "../../lib/ports.ts";

const QUERIES: Readonly<Record<string, string>> = {
  users: `SELECT username, first_name, email, is_staff, is_active, is_unclaimed, is_superuser, is_managed,
            is_sentry_app, is_password_expired, flags, date_joined, last_active, avatar_type, avatar_url
          FROM auth_user ORDER BY username`,
  emails: `SELECT email::text AS email FROM sentry_email ORDER BY lower(email::text)`,
  userEmails: `SELECT u.username, e.email, e.is_verified FROM sentry_useremail e
               JOIN auth_user u ON u.id = e.user_id ORDER BY u.username, e.email`,
  userOptions: `SELECT u.username, o.key, o.value::text AS value, o.project_id, o.organization_id
                FROM sentry_useroption o JOIN auth_user u ON u.id = o.user_id ORDER BY u.username, o.key`,
  permissions: `SELECT u.username, p.permission FROM sentry_userpermission p
                JOIN auth_user u ON u.id = p.user_id ORDER BY u.username, p.permission`,
  roles: `SELECT name, permissions, date_added, date_updated FROM sentry_userrole ORDER BY name`,
  roleUsers: `SELECT u.username, r.name FROM sentry_userrole_users x JOIN auth_user u ON u.id = x.user_id
              JOIN sentry_userrole r ON r.id = x.role_id ORDER BY u.username, r.name`,
  options: `SELECT key, value, last_updated_by, last_updated FROM sentry_option ORDER BY key`,
  controlOptions: `SELECT key, value, last_updated_by, last_updated FROM sentry_controloption ORDER BY key`,
  relays: `SELECT relay_id, public_key, is_internal FROM sentry_relay ORDER BY relay_id`,
  relayUsages: `SELECT relay_id, version, public_key FROM sentry_relayusage ORDER BY relay_id, version`,
  tokens: `SELECT u.username, t.name, t.token, t.refresh_token, t.hashed_token, t.scopes, t.scope_list
           FROM sentry_apitoken t JOIN auth_user u ON u.id = t.user_id ORDER BY t.token`,
  authorizations: `SELECT u.username, a.scopes, a.scope_list, a.date_added FROM sentry_apiauthorization a
                   JOIN auth_user u ON u.id = a.user_id ORDER BY u.username, a.date_added, a.scopes`,
  lostPasswordHashes: `SELECT u.username FROM sentry_lostpasswordhash h JOIN auth_user u ON u.id = h.user_id
                       ORDER BY u.username`,
  ledger: `SELECT 'control' AS t, model, min_ordinal, max_ordinal, min_source_pk, max_source_pk,
             (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(inserted_map) k) AS inserted,
             (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(existing_map) k) AS existing,
             (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(overwrite_map) k) AS overwrite
           FROM sentry_controlimportchunk
           UNION ALL
           SELECT 'replica', model, min_ordinal, max_ordinal, min_source_pk, max_source_pk, NULL, NULL, NULL
           FROM sentry_controlimportchunkreplica
           UNION ALL
           SELECT 'region', model, min_ordinal, max_ordinal, min_source_pk, max_source_pk,
             (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(inserted_map) k), NULL, NULL
           FROM sentry_regionimportchunk
           ORDER BY 1, 2, 3`,
  pkMap: `SELECT model, old_pk, kind FROM sentry_import.pk_map ORDER BY model, old_pk`,
};

export async function snapshotByNaturalKeys(db: Db): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(QUERIES)) {
    const { rows } = await db.query(sql);
    out[name] = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
      ),
    );
  }
  return out;
}
