import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantsModule } from '../tenants/tenants.module';
import { ApiKey } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { AuthGuard } from './auth.guard';

@Module({
  imports: [TypeOrmModule.forFeature([ApiKey]), TenantsModule],
  providers: [ApiKeysRepository, ApiKeysService, AuthFailureLimiter, AuthGuard],
  exports: [ApiKeysService, AuthGuard],
})
export class AuthModule {}
