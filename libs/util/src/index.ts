export { clamp } from './clamp';
export { importEsm } from './import-esm';
export { lowerThreadPriority, threadNices } from './thread-priority';
export { findSystemLibrary, systemLibraryBinding } from './system-library';
