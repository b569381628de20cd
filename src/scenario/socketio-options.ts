// cluster.options of adapter socketio: event names (each a text, not one of socket.io-client's
// reserved names, no two roles on one name), the ack style and recovery.
import {
  SOCKETIO_ACK_STYLES, SOCKETIO_DEFAULT_EVENTS, SOCKETIO_EVENT_ROLES, SOCKETIO_RESERVED_EVENTS, type SocketIoEventRole,
} from '../adapters/socketio-settings';
import type { Fields } from './fields';
import { shown } from './problem';

export function readSocketIoOptions(o: Fields): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const e = o.object('events', SOCKETIO_EVENT_ROLES);
  if (e) {
    const events: Partial<Record<SocketIoEventRole, string>> = {};
    const roleOf = new Map<string, SocketIoEventRole>();
    for (const role of SOCKETIO_EVENT_ROLES) {
      const name = e.string(role);
      if (name === undefined) continue;
      if (SOCKETIO_RESERVED_EVENTS.includes(name)) e.fail(role, `${shown(name)} is reserved by Socket.IO`, `pick another event name (reserved: ${SOCKETIO_RESERVED_EVENTS.join(', ')})`);
      events[role] = name;
    }
    for (const role of SOCKETIO_EVENT_ROLES) {
      const name = events[role] ?? SOCKETIO_DEFAULT_EVENTS[role];
      const other = roleOf.get(name);
      if (other !== undefined) e.fail(events[role] !== undefined ? role : other, `${shown(name)} is also the ${events[role] !== undefined ? other : role} event`, 'each role needs its own event name');
      roleOf.set(name, role);
    }
    options.events = events;
  }
  const ack = o.oneOf('ack', SOCKETIO_ACK_STYLES);
  if (ack !== undefined) options.ack = ack;
  const recovery = o.boolean('recovery');
  if (recovery !== undefined) options.recovery = recovery;
  return options;
}
