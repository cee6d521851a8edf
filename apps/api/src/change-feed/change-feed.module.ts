import { DynamicModule, Module } from '@nestjs/common';
import {
  CHANGE_FEED_OPTIONS,
  ChangeFeedService,
  type ChangeFeedOptions,
} from './change-feed.service';

/** One LISTEN connection per replica, shared by every cache of tenant data. */
@Module({})
export class ChangeFeedModule {
  /** `listen: false` (the admin CLI, which writes and exits): nothing is ever cached. */
  static forRoot(options: ChangeFeedOptions = { listen: true }): DynamicModule {
    return {
      module: ChangeFeedModule,
      global: true,
      providers: [{ provide: CHANGE_FEED_OPTIONS, useValue: options }, ChangeFeedService],
      exports: [ChangeFeedService],
    };
  }
}
