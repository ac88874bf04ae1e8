import { CoalescingReader, type ReadResult } from './CoalescingReader';

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('CoalescingReader', () => {
  it('reports a rejection that is not an Error as an Error', async () => {
    const results: ReadResult<string>[] = [];
    const reader = new CoalescingReader<string>(() => Promise.reject('HTTP 502'), r => results.push(r));
    reader.trigger();
    await flush();
    expect(results).toHaveLength(1);
    const [result] = results;
    expect('error' in result && result.error).toBeInstanceOf(Error);
    expect('error' in result && result.error.message).toBe('HTTP 502');
  });

  it('once disposed, drops the answer in flight and runs neither the queued re-read nor new ones', async () => {
    const onResult = jest.fn();
    const read = jest.fn().mockResolvedValue('value');
    const reader = new CoalescingReader(read, onResult);
    reader.trigger();
    reader.trigger(); // queued behind the first
    reader.dispose();
    reader.trigger();
    await flush();
    expect(read).toHaveBeenCalledTimes(1);
    expect(onResult).not.toHaveBeenCalled();
  });
});
