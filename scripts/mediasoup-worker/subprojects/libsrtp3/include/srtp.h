// mediasoup >= 3.16 is written against libsrtp 3, whose protect/unprotect calls
// take separate input and output buffers with size_t lengths. Debian ships libsrtp 2.5,
// which works in place with int lengths. These overloads bridge the two; mediasoup
// never uses MKI, so the index is always 0.
#ifndef TANDEM_SRTP3_BRIDGE_H
#define TANDEM_SRTP3_BRIDGE_H

#include <srtp2/srtp.h>

#ifdef __cplusplus
#include <cstring>
#include <cstdint>
#include <cstddef>

static constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
static constexpr srtp_err_status_t srtp_err_status_cryptex_err = static_cast<srtp_err_status_t>(29);

namespace tandem_srtp_bridge {
using InPlace = srtp_err_status_t (*)(srtp_t, void*, int*);

inline srtp_err_status_t Run(
  InPlace fn, srtp_t ctx, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t extra)
{
  if (*outLen < inLen + extra || inLen > static_cast<size_t>(INT32_MAX - SRTP_MAX_TRAILER_LEN))
    return srtp_err_status_buffer_small;
  if (out != in)
    std::memmove(out, in, inLen);
  int len = static_cast<int>(inLen);
  const srtp_err_status_t err = fn(ctx, out, &len);
  if (err == srtp_err_status_ok)
    *outLen = static_cast<size_t>(len);
  return err;
}
} // namespace tandem_srtp_bridge

inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t /*mkiIndex*/)
{
  return tandem_srtp_bridge::Run(::srtp_protect, ctx, rtp, rtpLen, srtp, srtpLen, SRTP_MAX_TRAILER_LEN);
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
  return tandem_srtp_bridge::Run(::srtp_unprotect, ctx, srtp, srtpLen, rtp, rtpLen, 0);
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t /*mkiIndex*/)
{
  return tandem_srtp_bridge::Run(
    ::srtp_protect_rtcp, ctx, rtcp, rtcpLen, srtcp, srtcpLen, SRTP_MAX_TRAILER_LEN);
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
  return tandem_srtp_bridge::Run(::srtp_unprotect_rtcp, ctx, srtcp, srtcpLen, rtcp, rtcpLen, 0);
}

inline srtp_err_status_t srtp_stream_remove(srtp_t ctx, uint32_t ssrc)
{
  return srtp_remove_stream(ctx, ssrc);
}
#endif // __cplusplus

#endif
