import { ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { CreateTenantDto } from './create-tenant.dto';

export class UpdateTenantDto extends PartialType(
  OmitType(CreateTenantDto, ['tenant_id'] as const),
) {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({
    description: 'Apply the built-in Nigerian lexicon to this tenant’s synthesis (default true)',
  })
  @IsOptional()
  @IsBoolean({ message: 'nigerian_lexicon must be true or false' })
  nigerian_lexicon?: boolean;
}
