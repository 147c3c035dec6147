export { JetStreamContext, type JetStreamMessage } from './jetstream.context';
export {
  type BindingState,
  type BindRetryOptions,
  type JetStreamBinding,
  type JetStreamConsumerSpec,
  type JetStreamInbox,
  JetStreamServer,
  type JetStreamServerOptions,
  type PatternDispatch,
} from './jetstream.server';
export { isSettlement, type Settlement } from './settlement';
