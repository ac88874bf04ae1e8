import { createTestDatabases } from '../__testUtils__/databases';
import { LineStopStore } from './LineStopStore';
import { migrationsDirectory } from './migrations';

describe('LineStopStore', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())('stops, lists, lifts and keeps the trail on %p', async databaseId => {
    const knex = await databases.init(databaseId);
    await knex.migrate.latest({ directory: migrationsDirectory });
    const store = new LineStopStore(knex);
    const changes = jest.fn();
    store.onChange(changes);

    const stop = await store.stop({ environment: 'prod', reason: 'incident 4711', stoppedBy: 'user:default/alice' }, new Date('2026-12-02T10:00:00Z'));
    expect(stop).toEqual({
      id: expect.any(String),
      environment: 'prod',
      reason: 'incident 4711',
      stoppedBy: 'user:default/alice',
      stoppedAt: '2026-12-02T10:00:00.000Z',
    });
    await expect(store.stop({ environment: 'prod', reason: 'again', stoppedBy: 'user:default/bob' })).rejects.toThrow(
      'environment: the line into prod is stopped already (by user:default/alice: incident 4711)',
    );
    await store.stop({ environment: '*', reason: 'freeze', stoppedBy: 'user:default/bob' }, new Date('2026-12-02T11:00:00Z'));
    expect((await store.active()).map(s => s.environment)).toEqual(['prod', '*']);

    const lifted = await store.lift(stop.id, 'user:default/bob', new Date('2026-12-02T12:00:00Z'));
    expect(lifted).toMatchObject({ liftedBy: 'user:default/bob', liftedAt: '2026-12-02T12:00:00.000Z' });
    await expect(store.lift(stop.id, 'user:default/carol')).rejects.toThrow(`Line stop ${stop.id} was lifted already by user:default/bob`);
    await expect(store.lift('00000000-0000-4000-8000-000000000000', 'user:default/carol')).rejects.toThrow('No line stop');
    expect((await store.active()).map(s => s.environment)).toEqual(['*']);
    expect((await store.recent()).map(s => [s.environment, Boolean(s.liftedAt)])).toEqual([['*', false], ['prod', true]]);
    expect(changes).toHaveBeenCalledTimes(3);
  });
});
