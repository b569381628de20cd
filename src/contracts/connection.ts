// How clients connect to a target: TLS and per-connection credentials (cluster.tls, cluster.auth).
// Kept apart from the rest of the scenario types so that the published adapter declarations
// (chat-bench/adapter) need nothing else, not even @types/node.
export interface TlsSpec {
  /** absolute path of a PEM file of CA certificates trusted besides the system's */
  caFile?: string;
  /** true: certificates are not verified at all (cluster.tls.insecure or --insecure) */
  insecure?: boolean;
}

/**
 * Texts may hold templates, filled for each client: {{clientId}}, {{jwt}} (the token of
 * `jwt`), {{env.NAME}} (read when connecting, so a secret never lands in results.json).
 */
export interface AuthSpec {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  subprotocols?: string[];
  username?: string;
  password?: string;
  /**
   * socketio: the handshake's `auth` payload (the server reads it as socket.handshake.auth);
   * any JSON, its texts templates ({{jwt}} included), made again for every connect.
   */
  payload?: Record<string, unknown>;
  jwt?: JwtSpec;
}

export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface JwtSpec {
  /** the environment variable holding the key: the HMAC secret, or a PEM private key for RS256 */
  secretEnv: string;
  alg: JwtAlgorithm;
  /** claims as written (texts are templates); iat always, exp when expiresInMs is given */
  claims: Record<string, unknown>;
  expiresInMs?: number;
}

/** What an environment variable's name may be (jwt.secretEnv, {{env.NAME}}). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
