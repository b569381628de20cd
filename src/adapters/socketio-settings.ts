// The Socket.IO adapter's options (cluster.options) and their defaults, without loading
// socket.io-client: the scenario reader and defaultGuaranteeOf need them too.
//   events:   { join, leave, publish, deliver } event names of the app (default join, leave,
//             publish, message)
//   ack:      callback (the app calls the emit's ack callback: "acked", "subscribed") | none
//   recovery: true (use connection state recovery: the server must enable it) | false

export const SOCKETIO_OPTIONS = ['events', 'ack', 'recovery'] as const;
export const SOCKETIO_EVENT_ROLES = ['join', 'leave', 'publish', 'deliver'] as const;
export const SOCKETIO_ACK_STYLES = ['callback', 'none'] as const;

export type SocketIoEventRole = (typeof SOCKETIO_EVENT_ROLES)[number];
export type SocketIoAckStyle = (typeof SOCKETIO_ACK_STYLES)[number];

export const SOCKETIO_DEFAULT_EVENTS: Readonly<Record<SocketIoEventRole, string>> = {
  join: 'join', leave: 'leave', publish: 'publish', deliver: 'message',
};

/** Names socket.io-client keeps for itself: an app cannot emit or receive them as events. */
export const SOCKETIO_RESERVED_EVENTS = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];

export interface SocketIoSettings {
  events: Record<SocketIoEventRole, string>;
  ack: SocketIoAckStyle;
  recovery: boolean;
}

/** The settings from already validated options. */
export function socketIoSettings(options: Readonly<Record<string, unknown>>): SocketIoSettings {
  const written = (options.events ?? {}) as Partial<Record<SocketIoEventRole, string>>;
  return {
    events: { ...SOCKETIO_DEFAULT_EVENTS, ...written },
    ack: options.ack === 'none' ? 'none' : 'callback',
    recovery: options.recovery !== false,
  };
}
