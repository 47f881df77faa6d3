import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { JobsModule } from '@cadre/jobs';
import { HealthController } from './health.controller';

/** GET /health (public, outside /api/v1). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), JobsModule],
  controllers: [HealthController],
})
export class HealthModule {}
