import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first truthy value of the condition', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? `after ${calls}` : null), 'three calls', 5_000)).resolves.toBe(
      'after 3',
    );
  });

  it('retries a condition that throws and names what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('not yet');
        },
        () => 'the answer',
        60,
      ),
    ).rejects.toThrow(/timed out after 60 ms waiting for the answer\nlast error: not yet/);
  });
});
