import { Module } from '@nestjs/common';
import { ContractsController } from './contracts.controller';
import { ContractsModule } from './contracts.module';

/** The contract routes (apps/api only). */
@Module({
  imports: [ContractsModule],
  controllers: [ContractsController],
})
export class ContractsHttpModule {}
