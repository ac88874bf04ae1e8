// @ts-check

/**
 * The Argo CD inventory: one row per application per instance, written by the
 * scheduled refresh (which runs on one replica at a time) and read by every replica,
 * so a page view never calls Argo CD.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_applications', table => {
    table.comment('Trimmed Argo CD applications, refreshed in the background');
    table.string('instance', 255).notNullable();
    table.string('app_namespace', 255).notNullable().defaultTo('');
    table.string('name', 255).notNullable();
    table.text('application').notNullable().comment('trimmed Application JSON');
    table.text('rollouts').nullable().comment('live Rollout objects JSON');
    table.timestamp('refreshed_at', { useTz: true }).notNullable();
    table.primary(['instance', 'app_namespace', 'name']);
  });
  await knex.schema.createTable('gitops_instance_refreshes', table => {
    table.comment('Outcome of the last inventory refresh of each Argo CD instance');
    table.string('instance', 255).primary();
    table.timestamp('refreshed_at', { useTz: true }).nullable();
    table.timestamp('attempted_at', { useTz: true }).notNullable();
    table.text('error').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_instance_refreshes');
  await knex.schema.dropTable('gitops_applications');
};
