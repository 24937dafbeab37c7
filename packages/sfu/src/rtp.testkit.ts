/**
 * Test kit (not built, not shipped): reads an RTP packet a plain transport sent us, or
 * null when it is not media — RTCP shares the port (PT 200-204 → 72-76 once the marker
 * bit is masked off), and mediasoup's bandwidth probation padding (SSRC 1234, PT 127) is
 * not media either.
 */
export function readMediaPacket(msg: Buffer): { ssrc: number; payloadType: number; seq: number } | null {
  const payloadType = (msg[1] ?? 0) & 0x7f;
  if (msg.length < 12 || (msg[0] ?? 0) >> 6 !== 2 || (payloadType >= 72 && payloadType <= 76)) return null;
  const ssrc = msg.readUInt32BE(8);
  if (ssrc === 1234 && payloadType === 127) return null;
  return { ssrc, payloadType, seq: msg.readUInt16BE(2) };
}
