import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** `{}`: the platform attests the signature. `{jws}`: the organisation signed with its registered key. */
export class SignContractDto {
  @ApiPropertyOptional({
    description: "Compact JWS by one of the organisation's registered keys; payload: the canonical terms, or {contractId, termsSha256}",
  })
  @IsOptional()
  @IsString()
  @MaxLength(65_536)
  @Matches(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, { message: 'jws must be a compact JWS' })
  jws?: string;
}
