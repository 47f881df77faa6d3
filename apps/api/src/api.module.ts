import { Module } from '@nestjs/common';

/** The HTTP surface: every context's controllers. Infrastructure comes from PlatformModule. */
@Module({
  imports: [],
})
export class ApiModule {}
