using System.Runtime.InteropServices;

namespace VirtioForwarder.Control.Zmq;

// Native libzmq (Debian's libzmq5), not NetMQ: NetMQ's ipc:// is loopback TCP underneath and
// cannot be reached by the pyzmq clients (docs/control-contract.md §1, C# caveat).
// Calls that can fail capture errno in the marshalling stub (SetLastError), read back with
// Marshal.GetLastPInvokeError: a separate zmq_errno call could see errno already overwritten by
// the runtime between the two transitions.
internal static partial class LibZmq
{
    private const string Library = "libzmq.so.5";

    // Values from zmq.h of libzmq 4.3.4.
    public const int ZMQ_REQ = 3;
    public const int ZMQ_REP = 4;
    public const int ZMQ_LINGER = 17;
    public const int ZMQ_MAXMSGSIZE = 22;
    public const int ZMQ_RCVTIMEO = 27;
    public const int ZMQ_SNDTIMEO = 28;

    public const int EINTR = 4;
    public const int EAGAIN = 11;

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint zmq_ctx_new();

    [LibraryImport(Library, SetLastError = true)]
    public static partial int zmq_ctx_term(nint context);

    [LibraryImport(Library, SetLastError = true)]
    public static partial nint zmq_socket(nint context, int type);

    [LibraryImport(Library, SetLastError = true)]
    public static partial int zmq_close(nint socket);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int zmq_bind(nint socket, string endpoint);

    [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int zmq_connect(nint socket, string endpoint);

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial int zmq_setsockopt(nint socket, int option, void* value, nuint length);

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial int zmq_msg_init(ZmqMessage* message);

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial int zmq_msg_recv(ZmqMessage* message, nint socket, int flags);

    [LibraryImport(Library)]
    public static unsafe partial void* zmq_msg_data(ZmqMessage* message);

    [LibraryImport(Library)]
    public static unsafe partial nuint zmq_msg_size(ZmqMessage* message);

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial int zmq_msg_close(ZmqMessage* message);

    [LibraryImport(Library, SetLastError = true)]
    public static unsafe partial int zmq_send(nint socket, void* buffer, nuint length, int flags);

    [LibraryImport(Library)]
    public static partial nint zmq_strerror(int errnum);
}
