import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminOnly } from '../common/request-context/request-context';
import { AdminService } from './admin.service';
import { ApiKeyDto, CreatedKeyDto, RevokedKeyDto, TenantDto } from './dto/admin-responses.dto';
import { CreateKeyDto } from './dto/create-key.dto';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { UpdateTenantDto } from './dto/update-tenant.dto';

@ApiTags('admin')
@ApiBearerAuth('admin')
@AdminOnly()
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Post('tenants')
  @ApiOperation({ summary: 'Create a tenant' })
  @ApiCreatedResponse({ type: TenantDto })
  createTenant(@Body() dto: CreateTenantDto): Promise<TenantDto> {
    return this.admin.createTenant(dto);
  }

  @Get('tenants')
  @ApiOkResponse({ type: [TenantDto] })
  listTenants(): Promise<TenantDto[]> {
    return this.admin.listTenants();
  }

  @Patch('tenants/:tenant_id')
  @ApiOperation({ summary: 'Change limits or deactivate a tenant' })
  @ApiOkResponse({ type: TenantDto })
  updateTenant(
    @Param('tenant_id') tenantId: string,
    @Body() dto: UpdateTenantDto,
  ): Promise<TenantDto> {
    return this.admin.updateTenant(tenantId, dto);
  }

  @Post('tenants/:tenant_id/keys')
  @ApiOperation({ summary: 'Issue an API key; the response is the only time the key is shown' })
  @ApiCreatedResponse({ type: CreatedKeyDto })
  issueKey(
    @Param('tenant_id') tenantId: string,
    @Body() dto: CreateKeyDto,
  ): Promise<CreatedKeyDto> {
    return this.admin.issueKey(tenantId, dto.name);
  }

  @Get('tenants/:tenant_id/keys')
  @ApiOkResponse({ type: [ApiKeyDto] })
  listKeys(@Param('tenant_id') tenantId: string): Promise<ApiKeyDto[]> {
    return this.admin.listKeys(tenantId);
  }

  @Delete('keys/:key_id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a key' })
  @ApiOkResponse({ type: RevokedKeyDto })
  revokeKey(
    @Param('key_id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) keyId: string,
  ): Promise<RevokedKeyDto> {
    return this.admin.revokeKey(keyId);
  }
}
