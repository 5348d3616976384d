using System.Runtime.CompilerServices;

namespace VirtioForwarder.Control.Zmq;

// zmq_msg_t: 64 opaque bytes that zmq.h aligns on a pointer-size boundary; eight ulongs give
// both the size and the alignment.
[InlineArray(8)]
internal struct ZmqMessage
{
    private ulong _element;
}
