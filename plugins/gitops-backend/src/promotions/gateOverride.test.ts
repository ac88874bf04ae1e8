import { NotAllowedError } from '@backstage/errors';
import { GatesFailedError } from './GatesFailedError';
import { overrideEvent, passGates } from './gateOverride';

const passed = { gate: 'soak-time', passed: true, evidence: 'running for 60 min' };
const failed = { gate: 'known-bad', passed: false, evidence: '2.2.0 failed in prod before' };

describe('passGates', () => {
  it('passes gates that all passed, overriding nothing', async () => {
    await expect(passGates([passed], {})).resolves.toEqual({ gates: [passed], overridden: [] });
  });

  it('refuses failed gates with a 409 listing them, unless overridden', async () => {
    const refusal = passGates([passed, failed], { authorizeOverride: async () => {} }, 'Rollback');
    await expect(refusal).rejects.toBeInstanceOf(GatesFailedError);
    await expect(refusal).rejects.toThrow('Rollback blocked by known-bad (2.2.0 failed in prod before)');
  });

  it('refuses an override the request cannot make (automatic promotions, no permission)', async () => {
    await expect(passGates([failed], { overrideGates: true })).rejects.toBeInstanceOf(GatesFailedError);
    const denied = passGates([failed], {
      overrideGates: true,
      authorizeOverride: async () => {
        throw new NotAllowedError('Not allowed to override the gates');
      },
    });
    await expect(denied).rejects.toBeInstanceOf(NotAllowedError);
  });

  it('marks overridden gates and returns them to be recorded', async () => {
    const result = await passGates([passed, failed], { overrideGates: true, authorizeOverride: async () => {} });
    expect(result).toEqual({ gates: [passed, { ...failed, overridden: true }], overridden: [failed] });
    expect(overrideEvent('user:default/alice', result.overridden)).toEqual({
      type: 'gates-overridden',
      message: 'user:default/alice overrode the failed gates: known-bad (2.2.0 failed in prod before)',
      actor: 'user:default/alice',
    });
  });
});
