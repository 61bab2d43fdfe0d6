export * from './attributes.js';
export * from './boundary.js';
export * from './codec.js';
export { MAX_LICENSE_JSON_DEPTH } from './depth.js';
export * from './errors.js';
export * from './status.js';
export * from './report.js';
export { decode64, encode64 } from './base64.js';
