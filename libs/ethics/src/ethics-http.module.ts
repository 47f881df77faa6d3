import { Module } from '@nestjs/common';
import { EthicsModule } from './ethics.module';
import { UseCaseRegisterController } from './register.controller';
import { UseCasesController } from './use-cases.controller';

/** The use-case, review and public-register routes (apps/api only). */
@Module({
  imports: [EthicsModule],
  controllers: [UseCasesController, UseCaseRegisterController],
})
export class EthicsHttpModule {}
