import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../decorators';
import { SigningKeysService } from './signing-keys.service';

@ApiTags('identity')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeysService) {}

  /** Every platform public key: tokens and record signatures verify offline against it. */
  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=60')
  @ApiOkResponse({ description: 'JSON Web Key Set {keys: [...]}', schema: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } } } })
  jwks() {
    return this.keys.jwks();
  }
}
