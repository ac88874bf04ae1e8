// @ts-check

/**
 * Promotions: the state machine lives here so that a backend restart or a second
 * replica neither loses nor repeats a step.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_promotions', table => {
    table.comment('Promotions of a version from one environment to the next');
    table.string('id', 36).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('source_env', 63).notNullable();
    table.string('target_env', 63).notNullable();
    table.text('version').notNullable().comment('PromotionVersion JSON');
    table.text('previous_version').nullable();
    table.string('requested_by', 255).notNullable();
    table.text('comment').nullable();
    table.string('status', 31).notNullable();
    table.text('gates').notNullable().comment('GateResult[] JSON');
    table.integer('required_approvals').notNullable().defaultTo(0);
    table.text('target').nullable().comment('where to write: instance, app, repo, branch, file, key');
    table.string('commit_sha', 64).nullable();
    table.text('pull_request_url').nullable();
    table.text('failure_reason').nullable();
    // Set while the promotion is active, NULL once terminal: a unique index on it
    // allows one active promotion per entity and target environment (portable to
    // SQLite and PostgreSQL, where NULLs never collide).
    table.string('active_key', 400).nullable().unique();
    table.string('claimed_by', 255).nullable();
    table.timestamp('claimed_until', { useTz: true }).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.index(['entity_ref', 'created_at']);
    table.index(['status']);
  });
  await knex.schema.createTable('gitops_promotion_approvals', table => {
    table.string('promotion_id', 36).notNullable().references('id').inTable('gitops_promotions').onDelete('CASCADE');
    table.string('approver', 255).notNullable();
    table.string('decision', 15).notNullable();
    table.text('comment').nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['promotion_id', 'approver']);
  });
  await knex.schema.createTable('gitops_promotion_events', table => {
    table.comment('Append-only log of what happened to each promotion');
    table.increments('id');
    table.string('promotion_id', 36).notNullable().references('id').inTable('gitops_promotions').onDelete('CASCADE');
    table.timestamp('at', { useTz: true }).notNullable();
    table.string('type', 63).notNullable();
    table.text('message').notNullable();
    table.string('actor', 255).nullable();
    table.index(['promotion_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_promotion_events');
  await knex.schema.dropTable('gitops_promotion_approvals');
  await knex.schema.dropTable('gitops_promotions');
};
