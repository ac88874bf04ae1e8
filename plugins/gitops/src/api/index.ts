export { gitopsApiRef, type GitopsApi } from './GitopsApi';
export { GitopsClient, GatesFailedError } from './GitopsClient';
