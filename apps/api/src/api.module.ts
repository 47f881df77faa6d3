import { Module } from '@nestjs/common';
import { AccessModule } from '@cadre/access';
import { EthicsModule } from '@cadre/ethics';
import { IdentityModule } from '@cadre/identity';
import { MembersModule } from '@cadre/members';

/** The HTTP surface: every context's controllers. Infrastructure comes from PlatformModule. */
@Module({
  imports: [IdentityModule, AccessModule, MembersModule, EthicsModule],
})
export class ApiModule {}
