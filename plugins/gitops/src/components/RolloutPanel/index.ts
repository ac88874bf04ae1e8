export { RolloutPanel } from './RolloutPanel';
export { UnknownRolloutNotice } from './UnknownRolloutNotice';
