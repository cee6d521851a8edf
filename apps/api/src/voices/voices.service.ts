import { Injectable } from '@nestjs/common';
import { Voice } from './voice.entity';
import { VoicesRepository } from './voices.repository';
import { VoiceErrorCode, VoiceException } from './voices.exception';

@Injectable()
export class VoicesService {
  constructor(private readonly voices: VoicesRepository) {}

  countVisibleVoices(tenantUuid: string): Promise<number> {
    return this.voices.countVisibleVoices(tenantUuid);
  }

  listVoices(tenantUuid: string): Promise<Voice[]> {
    return this.voices.listVisibleVoices(tenantUuid);
  }

  /** Resolves a voice for this tenant; unknown and other tenants' voices look the same (404). */
  async getVoice(tenantUuid: string, voiceId: string): Promise<Voice> {
    const voice = await this.voices.findVisibleVoice(tenantUuid, voiceId);
    if (!voice)
      throw new VoiceException(VoiceErrorCode.NotFound, `Voice profile '${voiceId}' not found`);
    return voice;
  }
}
