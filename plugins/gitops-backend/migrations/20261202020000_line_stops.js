// @ts-check

/**
 * Stopping the line: a person pauses promotions into an environment (or `*`, all of
 * them) with a reason. A stop is lifted, never deleted, so the table is also the audit
 * trail of who stopped and who lifted what, and when.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_line_stops', table => {
    table.string('id').primary().comment('uuid');
    table.string('environment').notNullable().comment("an environment name, or '*' for every environment");
    table.text('reason').notNullable();
    table.string('stopped_by').notNullable().comment('entity ref of the person');
    table.timestamp('stopped_at', { useTz: true }).notNullable();
    table.string('lifted_by').nullable();
    table.timestamp('lifted_at', { useTz: true }).nullable().comment('null while the stop holds');
    table.index(['lifted_at'], 'gitops_line_stops_active_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_line_stops');
};
