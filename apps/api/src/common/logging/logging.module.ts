import { DynamicModule, Global, Module } from '@nestjs/common';
import type pino from 'pino';
import { AppLogger } from './app-logger';
import { createRootLogger } from './logger.options';

/** The process's pino logger, for the request log; services use Nest's `Logger`, which writes to it. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

@Global()
@Module({})
export class LoggingModule {
  static forRoot(level: string, stream?: NodeJS.WritableStream): DynamicModule {
    return {
      module: LoggingModule,
      providers: [
        { provide: ROOT_LOGGER, useValue: createRootLogger(level, stream) },
        {
          provide: AppLogger,
          useFactory: (root: pino.Logger) => new AppLogger(root),
          inject: [ROOT_LOGGER],
        },
      ],
      exports: [ROOT_LOGGER, AppLogger],
    };
  }
}
