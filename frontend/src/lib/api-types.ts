/**
 * Request/response shapes of the backend's /api/v1 (DESIGN.md §6).
 * Hand-written for now; to be replaced by types generated from the backend's OpenAPI schema.
 */

export type Role = 'admin' | 'advisor' | 'viewer';

/** GET /api/v1/auth/me */
export interface User {
  id: string | number;
  email: string;
  full_name: string;
  role: Role;
  is_active: boolean;
}

/** POST /api/v1/auth/login body */
export interface LoginRequest {
  email: string;
  password: string;
}

/** POST /api/v1/auth/login and /api/v1/auth/refresh response */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
}

/** The backend's error envelope: {"error": {"code", "message", "details"}} */
export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    details?: unknown;
  };
}
