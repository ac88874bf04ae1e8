// @ts-check

/**
 * The inventory follows Argo CD's watch stream: rows are upserted one application at a
 * time, by every replica, so each row keeps the application's resourceVersion (a write
 * older than the row is dropped) and a deleted application stays as a tombstone with
 * the version it was deleted at (a late MODIFIED from a slower replica cannot revive it).
 * Rollouts that could not be read are kept as errors: unknown, never "no rollouts".
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table.bigInteger('resource_version').nullable().comment('Argo CD metadata.resourceVersion of the stored state');
    table.timestamp('deleted_at', { useTz: true }).nullable().comment('set when Argo CD deleted the application (tombstone)');
    table.text('rollout_errors').nullable().comment('managed Rollouts whose live state could not be read, JSON');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table.dropColumn('rollout_errors');
    table.dropColumn('deleted_at');
    table.dropColumn('resource_version');
  });
};
