import { MigrationInterface, QueryRunner } from 'typeorm';

/** The transactional outbox: every job is first a row here (id = BullMQ jobId), then a Redis message. */
export class Outbox1764460004000 implements MigrationInterface {
  name = 'Outbox1764460004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE cadre.outbox (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','published','done','failed')),
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      done_at timestamptz
    )`);
    // The sweeper reads only unfinished rows, oldest first.
    await q.query(`CREATE INDEX outbox_unfinished ON cadre.outbox (created_at) WHERE status IN ('pending','published')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cadre.outbox`);
  }
}
