import type { RolloutSummary } from '@gitops-suite/backstage-plugin-gitops-common';
import { commitUrl, environmentVersion, formatVersion, isRolloutInProgress, rolloutStateLabel, shortRevision, versionLabel } from './formatting';

describe('formatting', () => {
  it('links commits of https repositories only', () => {
    const sha = 'abcdef1234567890abcdef1234567890abcdef12';
    expect(commitUrl('https://github.com/acme/gitops.git', sha)).toBe(`https://github.com/acme/gitops/commit/${sha}`);
    expect(commitUrl('file:///srv/gitops.git', sha)).toBeUndefined();
    expect(commitUrl('https://github.com/acme/gitops', 'HEAD')).toBeUndefined();
    expect(shortRevision(sha)).toBe('abcdef1');
  });
});

describe('versionLabel', () => {
  const sha = 'abcdef1234567890abcdef1234567890abcdef12';
  const app = { instance: 'main', name: 'a', sync: { status: 'Synced' as const, revision: sha }, health: { status: 'Healthy' as const }, images: [], history: [] };
  it('prefers the tag, then the short digest, then the git revision', () => {
    expect(versionLabel({ version: { tag: '1.5.0', digest: 'sha256:0123456789abcdef' }, applications: [] })).toBe('1.5.0');
    expect(versionLabel({ version: { digest: 'sha256:0123456789abcdef0123' }, applications: [] })).toBe('sha256:0123456789ab');
    expect(versionLabel({ version: { revision: sha }, applications: [] })).toBe('abcdef1');
    expect(versionLabel({ version: undefined, applications: [app] })).toBe('abcdef1');
    expect(versionLabel({ version: undefined, applications: [] })).toBeUndefined();
  });
  it('names the chart an environment runs, with the image tag it runs', () => {
    const chart = { name: 'pricing-api', version: '1.2.0' };
    expect(versionLabel({ version: { tag: '1.2.0', chart }, applications: [] })).toBe('chart pricing-api 1.2.0 · image 1.2.0');
    expect(versionLabel({ version: { chart }, applications: [] })).toBe('chart pricing-api 1.2.0');
  });
});

describe('formatVersion', () => {
  const sha = 'abcdef1234567890abcdef1234567890abcdef12';
  it('shows an image tag as is, whether its kind is said or not', () => {
    expect(formatVersion({ tag: '1.5.0' })).toEqual({ label: '1.5.0' });
    expect(formatVersion({ kind: 'image', tag: '1.5.0' })).toEqual({ label: '1.5.0' });
  });
  it('names the chart of a chart version', () => {
    expect(formatVersion({ kind: 'chart', chart: 'pricing-api', tag: '1.2.0' })).toEqual({ label: 'chart pricing-api 1.2.0' });
    expect(formatVersion({ kind: 'chart', tag: '1.2.0' })).toEqual({ label: 'chart 1.2.0' });
  });
  it('shortens a commit, keeps a tag name, and keeps the full revision for the tooltip', () => {
    expect(formatVersion({ kind: 'revision', tag: sha })).toEqual({ label: 'abcdef1', title: sha });
    expect(formatVersion({ kind: 'revision', tag: 'v1.2.0' })).toEqual({ label: 'v1.2.0', title: 'v1.2.0' });
  });
  it('has nothing to show without a value', () => {
    expect(formatVersion(undefined)).toBeUndefined();
    expect(formatVersion({ kind: 'chart', chart: 'pricing-api' })).toBeUndefined();
  });
  it('reads an environment\'s version as its chart, else its image tag', () => {
    expect(environmentVersion({ tag: '1.2.0', chart: { name: 'pricing-api', version: '1.2.1' } })).toEqual({ kind: 'chart', chart: 'pricing-api', tag: '1.2.1' });
    expect(environmentVersion({ tag: '1.2.0' })).toEqual({ kind: 'image', tag: '1.2.0' });
    expect(environmentVersion({ digest: 'sha256:0123' })).toBeUndefined();
  });
});

describe('rolloutStateLabel', () => {
  const rollout: RolloutSummary = {
    name: 'payments-api', namespace: 'dev', strategy: 'canary', phase: 'Progressing', paused: false,
    pauseReasons: [], aborted: false, completed: false, step: { index: 2, count: 4 }, steps: [], images: [],
  };
  it('names the strategy, the step and why the rollout is not moving', () => {
    expect(rolloutStateLabel(rollout)).toBe('canary 2/4, progressing');
    expect(rolloutStateLabel({ ...rollout, paused: true, phase: 'Paused' })).toBe('canary 2/4, paused');
    expect(rolloutStateLabel({ ...rollout, aborted: true, phase: 'Degraded' })).toBe('canary 2/4, aborted');
    expect(rolloutStateLabel({ ...rollout, strategy: 'blueGreen', step: undefined, paused: true })).toBe('blue-green, paused');
  });
  it('is in progress until the update completes', () => {
    expect(isRolloutInProgress(rollout)).toBe(true);
    expect(isRolloutInProgress({ ...rollout, completed: true, phase: 'Healthy' })).toBe(false);
    expect(isRolloutInProgress({ ...rollout, completed: true, paused: true })).toBe(true);
  });
});
