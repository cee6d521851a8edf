import { Module } from '@nestjs/common';
import { PlaygroundController } from './playground.controller';

/** GET /playground: the browser page that tries the API (source in apps/playground/). */
@Module({ controllers: [PlaygroundController] })
export class PlaygroundModule {}
