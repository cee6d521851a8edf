import { Global, Module } from '@nestjs/common';
import { ShutdownService } from './shutdown.service';

/** The process's lifecycle: the shutdown state every transport and readiness check consults. */
@Global()
@Module({
  providers: [ShutdownService],
  exports: [ShutdownService],
})
export class LifecycleModule {}
