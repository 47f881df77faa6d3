import { Module } from '@nestjs/common';
import { AbilityFactory } from './ability.factory';

/** CASL abilities, for services and guards alike (the worker too). No global guard: see AccessHttpModule. */
@Module({
  providers: [AbilityFactory],
  exports: [AbilityFactory],
})
export class AccessModule {}
