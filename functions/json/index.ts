export * from './errors';
export * from './lossless';
export * from './scan';
