import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { MAX_TEXT_CHARS } from './synthesize.dto';

export class NormalizeTextDto {
  @ApiProperty({ example: 'Pay ₦5,000 to 08031234567 by 3:30pm.', maxLength: MAX_TEXT_CHARS })
  @IsDefined({ message: 'text is required' })
  @IsString({ message: 'text must be a string' })
  @MaxLength(MAX_TEXT_CHARS, { message: `text must be at most ${MAX_TEXT_CHARS} characters` })
  text: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  ssml?: boolean;

  @ApiPropertyOptional({ default: 'en' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/, {
    message: 'language must be a language code such as en or en-GB',
  })
  language?: string;
}

export class NormalizedTextDto {
  @ApiProperty({
    example:
      'Pay five thousand naira to zero eight zero three, one two three, four five six seven by three thirty p m.',
  })
  spoken_text: string;
}

export class LanguagesDto {
  @ApiProperty({ example: 'espeak' }) engine: string;
  @ApiProperty({ type: [String], example: ['en', 'en-gb', 'fr', 'sw'] }) languages: string[];
  @ApiProperty({
    example: 'No Yoruba, Hausa, Igbo or Nigerian Pidgin voice exists in this engine.',
  })
  note: string;
}

export class DemoAudioDto {
  @ApiProperty() voice_id: string;
  @ApiProperty() text: string;
  @ApiProperty({ description: 'WAV, base64' }) audio_base64: string;
  @ApiProperty({ example: 'audio/wav' }) content_type: string;
}
