import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  StreamableFile,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import { ErrorBody } from '../common/errors/error-body';
import {
  CreateEngineVoiceDto,
  UpdateVoiceDto,
  UploadedVoiceDto,
  UploadVoiceDto,
  VoiceDto,
} from './dto/voice.dto';
import { VoiceErrorCode, VoiceException } from './voices.exception';
import { VoicesService } from './voices.service';
import { echo } from '../common/errors/echo';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

@ApiTags('voices')
@ApiBearerAuth()
@ApiResponse({
  status: 404,
  type: ErrorBody,
  description: 'voice_not_found (also for other tenants’ voices)',
})
@Controller('v1/voices')
export class VoicesController {
  constructor(private readonly voices: VoicesService) {}

  @Post('upload')
  // 200, not Nest's 201 for POST: the predecessor answered 200 and its clients check for it.
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: UploadVoiceDto })
  @ApiOkResponse({ type: UploadedVoiceDto })
  @ApiResponse({
    status: 400,
    type: ErrorBody,
    description: 'invalid_audio, audio_too_short, audio_too_long, too_many_channels, audio_silent',
  })
  @ApiResponse({ status: 409, type: ErrorBody, description: 'voice_limit_reached' })
  @ApiResponse({ status: 413, type: ErrorBody, description: 'payload_too_large (over 10 MB)' })
  @ApiResponse({
    status: 422,
    type: ErrorBody,
    description: 'validation_failed (missing voice_file or name)',
  })
  @UseInterceptors(
    AnyFilesInterceptor({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 2, fields: 10 } }),
  )
  async upload(
    @Auth() { tenant }: RequestContext,
    @Body() dto: UploadVoiceDto,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
  ): Promise<UploadedVoiceDto> {
    const file = files?.find((f) => f.fieldname === 'voice_file');
    if (!file) {
      const other = files?.[0]?.fieldname;
      const hint = other ? ` (a file arrived in field '${echo(other)}')` : '';
      throw new VoiceException(
        VoiceErrorCode.MissingFile,
        `voice_file is required: send the audio as multipart field 'voice_file'${hint}`,
        {
          fields: { voice_file: ['voice_file is required'] },
        },
      );
    }
    const { voice, message } = await this.voices.upload(tenant, dto, file.buffer);
    return { ...VoiceDto.from(voice, this.voices.engineOf(voice)), message };
  }

  @Post()
  @HttpCode(201)
  @ApiBody({ type: CreateEngineVoiceDto })
  @ApiResponse({ status: 201, type: VoiceDto })
  @ApiResponse({
    status: 400,
    type: ErrorBody,
    description: 'unknown_engine, invalid_engine_voice (the body lists the valid ones)',
  })
  @ApiResponse({ status: 409, type: ErrorBody, description: 'voice_limit_reached' })
  async create(
    @Auth() { tenant }: RequestContext,
    @Body() dto: CreateEngineVoiceDto,
  ): Promise<VoiceDto> {
    const voice = await this.voices.createEngineVoice(tenant, dto);
    return VoiceDto.from(voice, this.voices.engineOf(voice));
  }

  @Get()
  @ApiOkResponse({ type: [VoiceDto] })
  async list(@Auth() { tenant }: RequestContext): Promise<VoiceDto[]> {
    return (await this.voices.listVoices(tenant.id)).map((v) =>
      VoiceDto.from(v, this.voices.engineOf(v)),
    );
  }

  @Get(':voice_id')
  @ApiOkResponse({ type: VoiceDto })
  async get(
    @Auth() { tenant }: RequestContext,
    @Param('voice_id') voiceId: string,
  ): Promise<VoiceDto> {
    const voice = await this.voices.getVoice(tenant.id, voiceId);
    return VoiceDto.from(voice, this.voices.engineOf(voice));
  }

  @Patch(':voice_id')
  @ApiOkResponse({ type: VoiceDto })
  @ApiResponse({ status: 403, type: ErrorBody, description: 'builtin_voice' })
  async update(
    @Auth() { tenant }: RequestContext,
    @Param('voice_id') voiceId: string,
    @Body() dto: UpdateVoiceDto,
  ): Promise<VoiceDto> {
    const voice = await this.voices.updateVoice(tenant.id, voiceId, dto);
    return VoiceDto.from(voice, this.voices.engineOf(voice));
  }

  @Delete(':voice_id')
  @HttpCode(200)
  @ApiOkResponse({ schema: { example: { voice_id: 'v_abc', deleted: true } } })
  @ApiResponse({ status: 403, type: ErrorBody, description: 'builtin_voice' })
  async remove(
    @Auth() { tenant }: RequestContext,
    @Param('voice_id') voiceId: string,
  ): Promise<{ voice_id: string; deleted: true }> {
    await this.voices.deleteVoice(tenant.id, voiceId);
    return { voice_id: voiceId, deleted: true };
  }

  @Get(':voice_id/reference')
  @ApiProduces('audio/wav')
  @ApiOkResponse({ description: 'The stored reference: mono 16-bit WAV at 24 kHz' })
  async reference(
    @Auth() { tenant }: RequestContext,
    @Param('voice_id') voiceId: string,
  ): Promise<StreamableFile> {
    const audio = await this.voices.referenceAudio(tenant.id, voiceId);
    return new StreamableFile(audio, { type: 'audio/wav', length: audio.length });
  }
}
