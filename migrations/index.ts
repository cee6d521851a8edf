import { CreateTenantsAndApiKeys1764180000000 } from './1764180000000-CreateTenantsAndApiKeys';
import { SeedDemoTenants1764180000001 } from './1764180000001-SeedDemoTenants';
import { CreateVoices1764180000002 } from './1764180000002-CreateVoices';
import { SeedBuiltinVoices1764180000003 } from './1764180000003-SeedBuiltinVoices';
import { CreateUsageEvents1764180000004 } from './1764180000004-CreateUsageEvents';
import { CreateClips1764185000000 } from './1764185000000-CreateClips';
import { CreateOpenAiVoiceMappings1764190000000 } from './1764190000000-CreateOpenAiVoiceMappings';
import { CreatePronunciationDictionaries1764190000001 } from './1764190000001-CreatePronunciationDictionaries';
import { AddCachedToUsageEvents1764190000005 } from './1764190000005-AddCachedToUsageEvents';
import { AddTenantNigerianLexicon1764190000006 } from './1764190000006-AddTenantNigerianLexicon';
import { AddVoiceEngineVoice1764190000007 } from './1764190000007-AddVoiceEngineVoice';
import { NotifyTenantDataChanges1764190000010 } from './1764190000010-NotifyTenantDataChanges';

/** Every migration, in order. Listed explicitly so the compiled app and the CLI share one list. */
export const MIGRATIONS = [
  CreateTenantsAndApiKeys1764180000000,
  SeedDemoTenants1764180000001,
  CreateVoices1764180000002,
  SeedBuiltinVoices1764180000003,
  CreateUsageEvents1764180000004,
  CreateClips1764185000000,
  CreateOpenAiVoiceMappings1764190000000,
  CreatePronunciationDictionaries1764190000001,
  AddCachedToUsageEvents1764190000005,
  AddTenantNigerianLexicon1764190000006,
  AddVoiceEngineVoice1764190000007,
  NotifyTenantDataChanges1764190000010,
];
