export * from './interceptor.js';
export * from './registry.js';
export * from './test-service.js';
export * from './transport.js';
export * from './wait.js';
