export { importEsm } from './import-esm';
