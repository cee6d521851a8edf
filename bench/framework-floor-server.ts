/**
 * The framework floor: a bare NestJS 11 app on Express (as ours) with one route,
 * `GET /v1/voices`, answering a fixed JSON body (ours, captured by the bench). No auth, rate
 * limit, logging, metrics or body parsing: what any request costs before our own work.
 * usage: node framework-floor-server.js PORT BODY_FILE
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

const [port, bodyFile] = process.argv.slice(2);
const body: unknown = JSON.parse(readFileSync(bodyFile, 'utf8'));

@Controller('v1/voices')
class FloorController {
  @Get()
  list(): unknown {
    return body;
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

void (async () => {
  const app = await NestFactory.create<NestExpressApplication>(FloorModule, {
    logger: false,
    bodyParser: false,
  });
  app.disable('x-powered-by');
  await app.listen(Number(port), '127.0.0.1');
  console.log('listening');
})();
