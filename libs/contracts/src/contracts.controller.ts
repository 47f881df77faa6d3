import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListQueryDto } from '@cadre/common';
import { CheckPolicies } from '@cadre/access';
import { CurrentActor } from '@cadre/identity';
import type { Actor } from '@cadre/identity';
import { ContractSigningService } from './contract-signing.service';
import { ContractsService } from './contracts.service';
import {
  ContractPageResponse,
  ContractResponse,
  SignatureResponse,
  toContractResponse,
  toSignatureResponse,
  toVerificationResponse,
  VerificationResponse,
} from './dto/contract.response';
import { PatchContractDto } from './dto/patch-contract.dto';
import { SignContractDto } from './dto/sign-contract.dto';
import { TerminateContractDto } from './dto/terminate-contract.dto';

const uuid = new ParseUUIDPipe({ version: undefined });

@ApiTags('contracts')
@ApiBearerAuth()
@Controller('api/v1')
export class ContractsController {
  constructor(
    private readonly contracts: ContractsService,
    private readonly signing: ContractSigningService,
  ) {}

  @Get('use-cases/:id/contracts')
  @ApiOperation({ summary: 'Contracts of a use case (parties, committee, platform admin)' })
  @ApiOkResponse({ type: ContractPageResponse })
  async list(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Query() query: ListQueryDto): Promise<ContractPageResponse> {
    const page = await this.contracts.listForUseCase(actor, id, query.limit, query.offset);
    return { items: page.items.map(toContractResponse), total: page.total };
  }

  @Get('contracts/:id')
  @ApiOperation({ summary: 'One contract (its parties)' })
  @ApiOkResponse({ type: ContractResponse })
  async get(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<ContractResponse> {
    return toContractResponse(await this.contracts.get(actor, id));
  }

  @Patch('contracts/:id')
  @CheckPolicies((ability) => ability.can('update', 'Contract'))
  @ApiOperation({ summary: 'Tighten the terms of a pending contract (provider org_admin); voids earlier signatures' })
  @ApiOkResponse({ type: ContractResponse })
  async patch(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: PatchContractDto): Promise<ContractResponse> {
    return toContractResponse(await this.contracts.amendTerms(actor, id, body.terms));
  }

  @Post('contracts/:id/signatures')
  @CheckPolicies((ability) => ability.can('sign', 'Contract'))
  @ApiOperation({ summary: "Sign the current terms: {} platform-attested, or {jws} by the organisation's registered key" })
  @ApiCreatedResponse({ type: SignatureResponse })
  async sign(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: SignContractDto): Promise<SignatureResponse> {
    return toSignatureResponse(await this.signing.sign(actor, id, body));
  }

  @Post('contracts/:id/terminate')
  @HttpCode(200)
  @CheckPolicies((ability) => ability.can('terminate', 'Contract'))
  @ApiOperation({ summary: 'Terminate a contract at once (provider org_admin, platform admin); suspends an active use case' })
  @ApiOkResponse({ type: ContractResponse })
  async terminate(@CurrentActor() actor: Actor, @Param('id', uuid) id: string, @Body() body: TerminateContractDto): Promise<ContractResponse> {
    return toContractResponse(await this.contracts.terminate(actor, id, body.reason));
  }

  @Get('contracts/:id/verification')
  @ApiOperation({ summary: 'Re-verify every signature against the current terms' })
  @ApiOkResponse({ type: VerificationResponse })
  async verification(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<VerificationResponse> {
    return toVerificationResponse(await this.signing.verification(actor, id));
  }
}
