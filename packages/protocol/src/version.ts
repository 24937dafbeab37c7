/** Bumped on any incompatible change to a message below. Client and server compare it in `join`. */
export const PROTOCOL_VERSION = 1;
