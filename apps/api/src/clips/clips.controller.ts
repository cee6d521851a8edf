import {
  Body,
  Controller,
  Get,
  Param,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Auth, Public, type RequestContext } from '../common/request-context/request-context';
import { ErrorBody } from '../common/errors/error-body';
import { abortOnDisconnect } from '../synthesis/audio-response';
import { ApiAudioResponse } from '../synthesis/api-audio-response.decorator';
import { ApiSynthesisErrors } from '../synthesis/api-synthesis-errors.decorator';
import { ClipsService } from './clips.service';
import { ClipUrlDto, SynthesizeUrlDto } from './dto/clip.dto';

/** Scheme and host the caller reached us at; used only when PUBLIC_BASE_URL is unset. */
function requestBaseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

@ApiTags('clips')
@Controller('v1')
export class ClipsController {
  constructor(private readonly clips: ClipsService) {}

  @Post('synthesize-url')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Synthesize the whole text, store it, and return a signed URL that plays it without an API key (Twilio <Play>)',
  })
  @ApiBody({ type: SynthesizeUrlDto })
  @ApiCreatedResponse({ type: ClipUrlDto })
  @ApiSynthesisErrors()
  create(
    @Auth() auth: RequestContext,
    @Body() dto: SynthesizeUrlDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ClipUrlDto> {
    return this.clips.createClip(
      auth,
      dto,
      requestBaseUrl(req),
      abortOnDisconnect(req, res).signal,
    );
  }

  @Public()
  @Get('audio/:id')
  @ApiOperation({
    summary: 'The audio behind a signed URL from POST /v1/synthesize-url; no API key needed',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiQuery({ name: 'expires', description: 'Unix time (s), as issued' })
  @ApiQuery({ name: 'signature', description: 'As issued' })
  @ApiAudioResponse('Audio, with Content-Type and Content-Length', undefined, { schema: false })
  @ApiResponse({
    status: 403,
    type: ErrorBody,
    description: 'invalid_signature (tampered id, expiry or signature), url_expired',
  })
  @ApiResponse({ status: 404, type: ErrorBody, description: 'clip_not_found' })
  async audio(
    @Param('id') id: string,
    @Query('expires') expires: unknown,
    @Query('signature') signature: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const clip = await this.clips.openClip(id, expires, signature);
    const maxAgeS = Math.max(0, Math.floor((clip.expiresAt.getTime() - Date.now()) / 1000));
    res.setHeader('Cache-Control', `private, max-age=${maxAgeS}`);
    res.setHeader('X-Audio-Duration-Ms', String(clip.durationMs));
    return new StreamableFile(clip.audio, {
      type: clip.contentType,
      length: clip.audio.length,
      disposition: 'inline',
    });
  }
}
