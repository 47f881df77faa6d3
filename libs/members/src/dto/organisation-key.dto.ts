import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import type { OrganisationKeyView } from '../organisation-keys.service';

export class RegisterKeyDto {
  @ApiProperty({
    description: 'a PUBLIC JWK: {kty: "OKP", crv: "Ed25519", x} or {kty: "EC", crv: "P-256", x, y}; private parts are refused',
    example: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
  })
  @IsObject()
  jwk: Record<string, unknown>;
}

export class OrganisationKeyResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ description: 'RFC 7638 thumbprint, the kid a JWS made with this key must carry' }) kid: string;
  @ApiProperty() thumbprint: string;
  @ApiProperty({ enum: ['EdDSA', 'ES256'] }) alg: string;
  @ApiProperty({ type: Object }) jwk: Record<string, unknown>;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String, description: 'set once revoked: the key signs nothing new, earlier signatures stay valid' }) revokedAt: string | null;
}

export function toOrganisationKeyResponse(k: OrganisationKeyView): OrganisationKeyResponse {
  return { id: k.id, organisationId: k.organisationId, kid: k.kid, thumbprint: k.kid, alg: k.alg, jwk: { ...k.jwk }, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null };
}
