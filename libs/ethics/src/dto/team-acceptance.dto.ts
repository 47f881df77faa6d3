import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class AcceptTeamDto {
  @ApiProperty({ format: 'uuid', description: 'the team member who accepts (yourself, or a researcher of your organisation if you are its org_admin)' })
  @IsUUID()
  userId: string;
}

export class TeamAcceptanceResponse {
  @ApiProperty({ format: 'uuid' }) useCaseId: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ format: 'uuid' }) acceptedBy: string;
  @ApiProperty() acceptedAt: string;
}
