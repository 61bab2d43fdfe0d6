/** Composition for `lifeline keys` and `lifeline license`: key files read and written on this host. */
export { generateKeyPair, loadPrivateKeyFile, loadPublicKeyFiles } from '../adapters/keys/key-files.js';
