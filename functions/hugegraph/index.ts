export * from './client';
export * from './errors';
export * from './http';
export * from './retry';
export * from './schema';
export * from './version';
export * from './session';
