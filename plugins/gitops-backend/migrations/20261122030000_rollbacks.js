// @ts-check

/**
 * Rollbacks are promotions of an environment back to a version it ran before; a
 * version whose promotion failed is remembered as bad for that environment.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_promotions', table => {
    table.string('kind', 15).notNullable().defaultTo('promotion').comment('promotion or rollback');
    table.string('rollback_of', 36).nullable().comment('the failed promotion an automatic rollback answers');
    table.text('skipped_gates').nullable().comment('gates a rollback skipped, JSON string[]');
  });
  await knex.schema.createTable('gitops_bad_versions', table => {
    table.comment('Versions that failed in an environment: not promoted there again without an override');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table.string('tag', 128).notNullable();
    table.string('promotion_id', 36).notNullable();
    table.text('reason').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'environment', 'tag']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_bad_versions');
  await knex.schema.alterTable('gitops_promotions', table => {
    table.dropColumn('skipped_gates');
    table.dropColumn('rollback_of');
    table.dropColumn('kind');
  });
};
