import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CommonErrorCode, DomainException } from '../common/errors/domain.exception';
import { ErrorBody } from '../common/errors/error-body';
import { echo } from '../common/errors/echo';
import { Auth, type RequestContext } from '../common/request-context/request-context';
import {
  AddRulesDto,
  CreateDictionaryDto,
  CreateDictionaryFromFileDto,
  DictionaryDto,
  DictionaryWithRulesDto,
  PronunciationRuleDto,
  RemoveRulesDto,
  UpdateDictionaryDto,
  VersionQueryDto,
} from './dto/pronunciation-dictionary.dto';
import type { PronunciationDictionary } from './pronunciation-dictionary.entity';
import { PronunciationErrorCode, PronunciationException } from './pronunciation.exception';
import { type DictionaryWithRules, PronunciationService } from './pronunciation.service';

/** Multer's own cap; the configured PRONUNCIATION_MAX_FILE_BYTES is checked after it. */
const MULTER_FILE_CAP = 100_000_000;

function toDto(dictionary: PronunciationDictionary): DictionaryDto {
  return {
    id: dictionary.dictionaryId,
    name: dictionary.name,
    description: dictionary.description,
    is_default: dictionary.isDefault,
    version: dictionary.latestVersion,
    latest_version: dictionary.latestVersion,
    rules_count: dictionary.rulesCount,
    created_at: dictionary.createdAt.toISOString(),
    updated_at: dictionary.updatedAt.toISOString(),
  };
}

function withRules({ dictionary, version, rules }: DictionaryWithRules): DictionaryWithRulesDto {
  return {
    ...toDto(dictionary),
    version,
    rules_count: rules.length,
    rules: rules.map((rule) => PronunciationRuleDto.from(rule)),
  };
}

@ApiTags('pronunciation')
@ApiBearerAuth()
@ApiResponse({
  status: 404,
  type: ErrorBody,
  description: 'pronunciation_dictionary_not_found (also for other tenants’ dictionaries)',
})
@Controller('v1/pronunciation-dictionaries')
export class PronunciationController {
  constructor(private readonly pronunciation: PronunciationService) {}

  @Post()
  @ApiCreatedResponse({ type: DictionaryWithRulesDto })
  @ApiResponse({ status: 400, type: ErrorBody, description: 'invalid_phoneme' })
  @ApiResponse({
    status: 409,
    type: ErrorBody,
    description:
      'pronunciation_dictionary_limit_reached, pronunciation_rule_limit_reached, pronunciation_size_limit_reached',
  })
  async create(
    @Auth() { tenant }: RequestContext,
    @Body() dto: CreateDictionaryDto,
  ): Promise<DictionaryWithRulesDto> {
    return withRules(
      await this.pronunciation.create(tenant, {
        name: dto.name,
        description: dto.description,
        isDefault: dto.is_default,
        rules: dto.rules.map((rule) => PronunciationRuleDto.toRule(rule)),
      }),
    );
  }

  @Post('add-from-file')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: CreateDictionaryFromFileDto })
  @ApiCreatedResponse({ type: DictionaryWithRulesDto })
  @ApiResponse({ status: 400, type: ErrorBody, description: 'invalid_pls, invalid_phoneme' })
  @ApiResponse({ status: 413, type: ErrorBody, description: 'payload_too_large' })
  @UseInterceptors(
    AnyFilesInterceptor({ limits: { fileSize: MULTER_FILE_CAP, files: 1, fields: 10 } }),
  )
  async createFromFile(
    @Auth() { tenant }: RequestContext,
    @Body() dto: CreateDictionaryFromFileDto,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
  ): Promise<DictionaryWithRulesDto> {
    const file = files?.find((f) => f.fieldname === 'file');
    if (!file) {
      const other = files?.[0]?.fieldname;
      throw new PronunciationException(
        PronunciationErrorCode.MissingFile,
        `file is required: send the .pls lexicon as multipart field 'file'${other ? ` (a file arrived in field '${echo(other)}')` : ''}`,
        { fields: { file: ['file is required'] } },
      );
    }
    if (file.size > this.pronunciation.maxFileBytes) {
      throw new DomainException(
        CommonErrorCode.PayloadTooLarge,
        `The file is ${file.size} bytes; a lexicon may be at most ${this.pronunciation.maxFileBytes} bytes (PRONUNCIATION_MAX_FILE_BYTES)`,
        413,
      );
    }
    return withRules(
      await this.pronunciation.createFromPls(
        tenant,
        { name: dto.name, description: dto.description, isDefault: dto.is_default },
        file.buffer,
      ),
    );
  }

  @Get()
  @ApiOkResponse({ type: [DictionaryDto] })
  async list(@Auth() { tenant }: RequestContext): Promise<DictionaryDto[]> {
    return (await this.pronunciation.listDictionaries(tenant)).map(toDto);
  }

  @Get(':id')
  @ApiOkResponse({ type: DictionaryWithRulesDto })
  async get(
    @Auth() { tenant }: RequestContext,
    @Param('id') id: string,
    @Query() query: VersionQueryDto,
  ): Promise<DictionaryWithRulesDto> {
    return withRules(await this.pronunciation.getDictionary(tenant, id, query.version));
  }

  @Patch(':id')
  @ApiOkResponse({ type: DictionaryWithRulesDto })
  async update(
    @Auth() { tenant }: RequestContext,
    @Param('id') id: string,
    @Body() dto: UpdateDictionaryDto,
  ): Promise<DictionaryWithRulesDto> {
    return withRules(
      await this.pronunciation.update(tenant, id, {
        name: dto.name,
        description: dto.description,
        isDefault: dto.is_default,
      }),
    );
  }

  @Post(':id/add-rules')
  @HttpCode(200)
  @ApiOkResponse({ type: DictionaryWithRulesDto, description: 'The new version' })
  async addRules(
    @Auth() { tenant }: RequestContext,
    @Param('id') id: string,
    @Body() dto: AddRulesDto,
  ): Promise<DictionaryWithRulesDto> {
    const rules = dto.rules.map((rule) => PronunciationRuleDto.toRule(rule));
    return withRules(await this.pronunciation.addRules(tenant, id, rules));
  }

  @Post(':id/remove-rules')
  @HttpCode(200)
  @ApiOkResponse({ type: DictionaryWithRulesDto, description: 'The new version' })
  @ApiResponse({ status: 404, type: ErrorBody, description: 'pronunciation_rule_not_found' })
  async removeRules(
    @Auth() { tenant }: RequestContext,
    @Param('id') id: string,
    @Body() dto: RemoveRulesDto,
  ): Promise<DictionaryWithRulesDto> {
    return withRules(await this.pronunciation.removeRules(tenant, id, dto.rule_strings));
  }

  @Get(':id/download')
  @ApiProduces('application/pls+xml')
  @ApiOkResponse({ description: 'The rules as a W3C PLS 1.0 lexicon' })
  async download(
    @Auth() { tenant }: RequestContext,
    @Param('id') id: string,
    @Query() query: VersionQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const { xml, version } = await this.pronunciation.pls(tenant, id, query.version);
    res.set({
      'Content-Type': 'application/pls+xml; charset=utf-8',
      'Content-Disposition': `attachment; filename="${id.replace(/[^\w-]/g, '')}-v${version}.pls"`,
    });
    return xml;
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOkResponse({ schema: { example: { id: 'pd_4Jm0QdS8pV2cXk9LwT1a', deleted: true } } })
  async remove(
    @Auth() { tenant }: RequestContext,
    @Param('id') id: string,
  ): Promise<{ id: string; deleted: true }> {
    await this.pronunciation.deleteDictionary(tenant, id);
    return { id, deleted: true };
  }
}
