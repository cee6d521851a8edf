export { clamp } from './clamp';
export { importEsm } from './import-esm';
