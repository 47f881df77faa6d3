export { MembersModule } from './members.module';
export { OrganisationsService } from './organisations.service';
export { COLLEGES } from './organisation.entity';
export type { College, OrganisationStatus } from './organisation.entity';
