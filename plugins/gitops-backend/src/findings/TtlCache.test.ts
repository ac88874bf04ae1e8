import { TtlCache } from './TtlCache';

describe('TtlCache', () => {
  let now = 0;
  const cache = () => new TtlCache<number>(30_000, () => now);
  beforeEach(() => {
    now = 1_000;
  });

  it('shares a load in flight and reuses its value until the TTL ends', async () => {
    const c = cache();
    let loads = 0;
    let release!: (value: number) => void;
    const load = () => {
      loads++;
      return new Promise<number>(resolve => {
        release = resolve;
      });
    };
    const first = c.get('k', load);
    now += 60_000; // a slow load does not expire while in flight
    const second = c.get('k', load);
    release(42);
    await expect(Promise.all([first, second])).resolves.toEqual([42, 42]);
    expect(loads).toBe(1);

    now += 29_999;
    await expect(c.get('k', async () => 7)).resolves.toBe(42);
    now += 1;
    await expect(c.get('k', async () => 7)).resolves.toBe(7);
  });

  it('reloads a value older than a caller-given age, sharing that reload', async () => {
    const c = cache();
    await c.get('k', async () => 1);
    now += 500;
    await expect(c.get('k', async () => 2, 1_000)).resolves.toBe(1);
    now += 1_000;
    let loads = 0;
    const reload = async () => ++loads + 1;
    const [a, b] = await Promise.all([c.get('k', reload, 1_000), c.get('k', reload, 1_000)]);
    expect([a, b, loads]).toEqual([2, 2, 1]);
    await expect(c.get('k', async () => 9)).resolves.toBe(2);
  });

  it('keeps a failure only briefly', async () => {
    const c = cache();
    await expect(
      c.get('k', async () => {
        throw new Error('down');
      }),
    ).rejects.toThrow('down');
    await expect(c.get('k', async () => 1)).rejects.toThrow('down');
    now += 5_000;
    await expect(c.get('k', async () => 1)).resolves.toBe(1);
  });

  it('turns a synchronous throw into a rejection', async () => {
    await expect(
      cache().get('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
  });
});
