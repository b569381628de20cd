// Live counters of the load driver. Sampled once per second by the run loop (time series,
// progress line); plain numbers so the hot path only increments.
export class DriverStats {
  connected = 0;
  maxConnected = 0;
  connects = 0;             // successful WebSocket opens, first ones and reconnects
  reconnects = 0;           // successful opens after a drop
  disconnects = 0;          // drops of an open connection
  connectFailures = 0;      // attempts that never opened
  heartbeatTimeouts = 0;    // connections terminated because pongs stopped
  leaves = 0;               // stages, churn: clients that left (for good, or away for a while)
  returns = 0;              // churn with resume: clients that came back as themselves (not counted as reconnects)
  scheduled = 0;            // messages scheduled (the offered, open-loop load; sent or not)
  published = 0;            // first sends of a message
  retries = 0;              // re-sends of a message with the same idempotency key
  acked = 0;
  deliveries = 0;           // msg frames received (duplicates included)
  publishErrors = 0;        // err frames received for a publish

  opened(): void {
    this.connected++;
    if (this.connected > this.maxConnected) this.maxConnected = this.connected;
  }
}
