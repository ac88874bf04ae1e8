// @ts-check

/**
 * Image scans uploaded from CI (`trivy image -f json`): the evidence for an image
 * that no Trivy Operator has scanned in a cluster yet (before its first deploy, or
 * where the operator is not installed).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_scans', table => {
    table.comment('Vulnerability scans of images uploaded from CI');
    table.increments('id');
    table
      .string('image', 255)
      .notNullable()
      .comment('registry/repository:tag, canonical');
    table
      .string('digest', 255)
      .nullable()
      .comment('sha256:... when the scan knew it');
    table.timestamp('scanned_at', { useTz: true }).notNullable();
    table
      .text('findings', 'longtext')
      .notNullable()
      .comment('findings JSON array');
    table
      .string('uploaded_by', 255)
      .notNullable()
      .comment('entity ref of the uploader');
    table.index(['image'], 'gitops_scans_image_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_scans');
};
