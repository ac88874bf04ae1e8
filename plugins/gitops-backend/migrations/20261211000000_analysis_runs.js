// @ts-check

/**
 * The inventory keeps the AnalysisRuns its Rollouts' status points at (trimmed: each
 * metric's conditions and last measurement), and those that could not be read, so the
 * tab shows a running canary's analysis after a restart too.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table.text('analysis_runs').nullable().comment('{ runs, errors } of the current AnalysisRuns, JSON');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table.dropColumn('analysis_runs');
  });
};
