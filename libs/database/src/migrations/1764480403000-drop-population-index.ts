import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The differencing check reads `cadre.published_populations` now (1764480402000): the partial
 * index over released exact computations by population served only the query it replaced, and
 * every release still paid to maintain it. `population_key` stays on each computation, as its record.
 */
export class DropPopulationIndex1764480403000 implements MigrationInterface {
  name = 'DropPopulationIndex1764480403000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX cadre.computations_population`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX computations_population ON cadre.computations (use_case_id, population_key) WHERE mechanism = 'none' AND status IN ('released','pending_release')`);
  }
}
