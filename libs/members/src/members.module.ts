import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '@cadre/identity';
import { AuditModule } from '@cadre/audit';
import { Organisation } from './organisation.entity';
import { BootstrapService } from './bootstrap.service';
import { OrganisationsService } from './organisations.service';

@Module({
  imports: [TypeOrmModule.forFeature([Organisation]), AuditModule, IdentityModule],
  providers: [BootstrapService, OrganisationsService],
  exports: [OrganisationsService],
})
export class MembersModule {}
