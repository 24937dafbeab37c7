export * from './version.js';
export * from './errors.js';
export * from './envelope.js';
export * from './media.js';
export * from './signaling.js';
export * from './sfu-control.js';
export * from './typed-emitter.js';
export * from './http.js';
