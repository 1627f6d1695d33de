/*
 * Errors the client reports: the server's `Error { code, message }` with
 * gRPC status numbers, and the library's own (the link is down: UNAVAILABLE).
 * Every failed call rejects with a ClubError; `current` is the row as it is
 * now when an edit was stale (FAILED_PRECONDITION).
 */
import type { TaskRow } from "../gen/clubcrm_pb.js";

export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export class ClubError extends Error {
  constructor(
    public readonly code: number,
    message: string,
    public readonly current?: TaskRow,
  ) {
    super(message);
    this.name = "ClubError";
  }

  /** An edit lost to someone else's: `current` holds their version. */
  get isConflict(): boolean {
    return this.code === Status.FAILED_PRECONDITION && this.current !== undefined;
  }
}
