// @ts-check

/**
 * Delivery insights (DORA) read the promotions that ended in a period, per entity and
 * environment or across the fleet, one environment per query: indexes on when they ended (`updated_at` of a
 * terminal promotion is its last transition). The source commits a succeeded promotion
 * shipped are kept once read from its source repository, for its lead time.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_promotions', table => {
    table.index(['entity_ref', 'target_env', 'updated_at'], 'gitops_promotions_insights_entity_idx');
    table.index(['target_env', 'updated_at'], 'gitops_promotions_insights_env_idx');
  });
  await knex.schema.createTable('gitops_promotion_source_commits', table => {
    table.comment('The source commits each succeeded promotion shipped, read once for its lead time');
    table
      .string('promotion_id', 36)
      .primary()
      .references('id')
      .inTable('gitops_promotions')
      .onDelete('CASCADE');
    table.text('commit_dates').nullable().comment('committer dates of the shipped commits, JSON number[] (ms); null when unavailable');
    table.boolean('truncated').notNullable().defaultTo(false).comment('more commits were shipped than listed');
    table.text('unavailable').nullable().comment('why the commits could not be read');
    table.timestamp('read_at', { useTz: true }).notNullable();
  });
  // Argo CD's sync history (status.history) as the inventory observes it: every version
  // that reached an environment, also those no promotion made (CI pushing straight to
  // the GitOps repository, a hand edit) for the deployment frequency.
  await knex.schema.createTable('gitops_deployments', table => {
    table.comment("Argo CD sync history entries of the applications, recorded once each");
    table.string('instance', 255).notNullable();
    table.string('app_namespace', 255).notNullable().defaultTo('');
    table.string('app_name', 255).notNullable();
    table.string('history_id', 64).notNullable().comment('status.history[].id');
    table.string('revision', 255).nullable();
    table.boolean('new_revision').notNullable().comment('false for a sync of the revision the entry before synced');
    table.string('environment', 63).nullable().comment('where the application was placed when it synced');
    table.timestamp('deployed_at', { useTz: true }).notNullable();
    // With when it synced: an application deleted and created again numbers its history from 0 again.
    table.primary(['instance', 'app_namespace', 'app_name', 'history_id', 'deployed_at']);
    table.index(['environment', 'deployed_at'], 'gitops_deployments_env_idx');
    table.index(['app_name', 'deployed_at'], 'gitops_deployments_app_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_deployments');
  await knex.schema.dropTable('gitops_promotion_source_commits');
  await knex.schema.alterTable('gitops_promotions', table => {
    table.dropIndex([], 'gitops_promotions_insights_env_idx');
    table.dropIndex([], 'gitops_promotions_insights_entity_idx');
  });
};
