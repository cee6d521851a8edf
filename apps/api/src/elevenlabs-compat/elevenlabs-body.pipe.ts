import { Injectable, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { CommonErrorCode, DomainException } from '../common/errors/domain.exception';
import { ElevenLabsTextToSpeechDto, ElevenLabsVoiceSettingsDto } from './dto/text-to-speech.dto';

function messages(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}),
    ...messages(e.children ?? []),
  ]);
}

/**
 * Validates a text-to-speech body the way real ElevenLabs clients send it: the fields we use are
 * checked, every other field is dropped (the global pipe would refuse them). The route declares
 * its body as a plain object, which the global pipe leaves alone.
 */
@Injectable()
export class ElevenLabsBodyPipe implements PipeTransform<
  unknown,
  Promise<ElevenLabsTextToSpeechDto>
> {
  async transform(value: unknown): Promise<ElevenLabsTextToSpeechDto> {
    const body = typeof value === 'object' && value !== null ? value : {};
    const dto = plainToInstance(ElevenLabsTextToSpeechDto, body);
    const settings = (body as { voice_settings?: unknown }).voice_settings;
    const errors = await validate(dto, { whitelist: true });
    if (typeof settings === 'object' && settings !== null) {
      const parsed = plainToInstance(ElevenLabsVoiceSettingsDto, settings);
      errors.push(...(await validate(parsed, { whitelist: true })));
      dto.voice_settings = parsed;
    }
    if (errors.length) {
      throw new DomainException(CommonErrorCode.ValidationFailed, messages(errors).join('; '), 422);
    }
    return dto;
  }
}
