import { Controller, Get, Logger, OnModuleInit, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { CommonErrorCode, DomainException } from '../common/errors/domain.exception';
import { echo } from '../common/errors/echo';
import { Public } from '../common/request-context/request-context';
import {
  isPlaygroundFile,
  loadPlaygroundAssets,
  PLAYGROUND_CSP,
  PLAYGROUND_DIR,
  type PlaygroundAsset,
  type PlaygroundFile,
} from './playground-assets';
import { PlaygroundErrorCode, PlaygroundException } from './playground.exception';

/**
 * The web playground: a public page that calls the API with the key the visitor types in. The
 * page and its assets are built by `npm run build` and held in memory (a few tens of KB).
 */
@ApiExcludeController()
@Public()
@Controller('playground')
export class PlaygroundController implements OnModuleInit {
  private readonly logger = new Logger('Playground');
  private assets = new Map<PlaygroundFile, PlaygroundAsset>();

  onModuleInit(): void {
    this.assets = loadPlaygroundAssets();
    if (!this.assets.has('index.html'))
      this.logger.warn(`playground not built (no ${PLAYGROUND_DIR}): run npm run build`);
  }

  @Get()
  page(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (!isPlaygroundFile(file) || file === 'index.html')
      throw new DomainException(CommonErrorCode.NotFound, `No playground file ${echo(file)}`, 404);
    this.send(res, file);
  }

  private send(res: Response, file: PlaygroundFile): void {
    const asset = this.assets.get(file);
    if (!asset)
      throw new PlaygroundException(
        PlaygroundErrorCode.NotBuilt,
        'The playground is not built on this server: run npm run build',
      );
    res.setHeader('Content-Security-Policy', PLAYGROUND_CSP);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.type(asset.contentType).send(asset.body);
  }
}
