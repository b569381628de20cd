// One fault of the timeline behind one interface (as Toxiproxy's toxics are): it knows how
// to begin and how to be undone. The timeline decides when.
export interface Fault {
  readonly label: string;      // human-readable, lands in results.json's timeline
  readonly target: string;     // as written in the scenario
  begin(): Promise<void>;
  end(): Promise<void>;
}
