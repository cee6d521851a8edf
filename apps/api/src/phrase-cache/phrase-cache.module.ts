import { Module } from '@nestjs/common';
import { PhraseCacheController } from './phrase-cache.controller';
import { PhraseCacheService } from './phrase-cache.service';

/** Audio of repeated requests, served again without the engine (see PhraseCacheService). */
@Module({
  controllers: [PhraseCacheController],
  providers: [PhraseCacheService],
  exports: [PhraseCacheService],
})
export class PhraseCacheModule {}
