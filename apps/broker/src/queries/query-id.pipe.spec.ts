import { BrokerError } from '../broker.errors';
import { QueryIdPipe } from './query-id.pipe';

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('QueryIdPipe', () => {
  const pipe = new QueryIdPipe();

  it('reads a query id in lower case, as ids are stored', () => {
    expect(pipe.transform('0E3C6D0E-8D0C-4A53-9B7E-0C1F2A3B4C5D')).toBe('0e3c6d0e-8d0c-4a53-9b7e-0c1f2a3b4c5d');
  });

  it.each(['not-a-uuid', '', ' 0e3c6d0e-8d0c-4a53-9b7e-0c1f2a3b4c5d', '0e3c6d0e-8d0c-4a53-9b7e-0c1f2a3b4c5d0', 42])(
    'answers %p as an unknown query: BROKER_QUERY_NOT_FOUND',
    (id) => {
      const error = thrownBy(() => pipe.transform(id));
      expect(error).toBeInstanceOf(BrokerError);
      expect(error).toMatchObject({
        code: 'BROKER_QUERY_NOT_FOUND',
        message: 'there is no query with this id for this caller',
      });
    },
  );
});
