/**
 * Common types, permissions and annotations of the GitOps suite, shared by its
 * frontend and backend packages.
 *
 * @packageDocumentation
 */
export * from './annotations';
export * from './permissions';
export * from './api';
export * from './entity';
export * from './imageRef';
export * from './rolloutActions';
export * from './promotions';
export * from './fleet';
export * from './signals';
export * from './labelSelector';
export * from './wildcard';
