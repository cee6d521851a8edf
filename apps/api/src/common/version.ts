import { version } from '../../../../package.json';

export const SERVICE_NAME = 'CallWaiting TTS';
export const SERVICE_VERSION: string = version;
