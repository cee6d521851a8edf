import { Global, Module } from '@nestjs/common';
import { ChangeFeedService } from './change-feed.service';

/** One LISTEN connection per replica, shared by every cache of tenant data. */
@Global()
@Module({
  providers: [ChangeFeedService],
  exports: [ChangeFeedService],
})
export class ChangeFeedModule {}
