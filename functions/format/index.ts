/** Backup format (versions 1 and 2): see FORMAT.md in this folder. */
export * from './auth';
export * from './check-file';
export * from './config';
export * from './errors';
export * from './file-reader';
export * from './file-writer';
export * from './lines';
export * from './manifest';
export * from './naming';
export * from './folders';
export * from './variables';
export * from './verify';
export * from './zip';
