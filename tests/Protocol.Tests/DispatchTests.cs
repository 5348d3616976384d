using System.Runtime.InteropServices;
using VirtioForwarder.Platform;
using VirtioForwarder.Protocol;

namespace VirtioForwarder.Protocol.Tests;

public sealed class DispatchTests : IDisposable
{
    private readonly RecordingDevice _device = new();
    private readonly Frontend _frontend;
    private readonly BackendThread _backend;

    public DispatchTests()
    {
        var (a, b) = UnixSocket.Pair();
        _frontend = new Frontend(new Connection(a));
        _backend = new BackendThread(b, _device);
    }

    public void Dispose()
    {
        _frontend.Dispose();
        _backend.Dispose();
        _device.CloseFds();
    }

    [Fact]
    public void Get_requests_are_answered_with_the_device_values()
    {
        Assert.Equal(_device.Features, _frontend.GetFeatures());
        Assert.Equal(2UL, _frontend.GetQueueNum());
        Assert.Equal(45u, _frontend.GetVringBase(3));
    }

    [Fact]
    public void Memory_table_fds_arrive_and_are_usable()
    {
        int memfd = Libc.MemfdCreate("guest", Libc.MFD_CLOEXEC);
        Libc.Ftruncate(memfd, 4096);
        var region = new MemoryRegion { GuestPhysAddr = 0x1000, MemorySize = 4096, UserAddr = 0x7000_0000, MmapOffset = 0 };
        _frontend.RequestAcks = true;
        _frontend.SetProtocolFeatures((ulong)ProtocolFeatures.ReplyAck);
        _frontend.SetMemTable([region], [memfd]);
        Libc.Close(memfd);

        Assert.Contains("SetMemTable 1 gpa0=1000 size0=1000", _device.Calls);
        int received = Assert.Single(_device.ReceivedFds);
        Assert.True(Libc.Fcntl(received, Libc.F_GETFL, 0) >= 0, "the received fd is open");
    }

    [Fact]
    public void Reply_ack_reports_success_and_refusal()
    {
        _frontend.RequestAcks = true;
        _frontend.SetProtocolFeatures((ulong)ProtocolFeatures.ReplyAck);
        _frontend.SetVringNum(0, 256);
        Assert.Contains("SetVringNum 0 256", _device.Calls);

        _device.RefuseVringNum = true;
        Assert.Throws<ProtocolException>(() => _frontend.SetVringNum(1, 256));
        _backend.Join();
        Assert.Equal("refused", _backend.Failure?.Message);
    }

    [Fact]
    public void Kick_without_fd_means_polling()
    {
        _frontend.SetVringKick(1, -1);
        int efd = Libc.EventFd(0, Libc.EFD_CLOEXEC);
        _frontend.SetVringCall(1, efd);
        Libc.Close(efd);
        _frontend.GetQueueNum(); // a round trip: both messages are handled by now
        Assert.Contains("SetVringKick 1 none", _device.Calls);
        Assert.Contains("SetVringCall 1", _device.Calls);
    }

    [Theory]
    [InlineData(FrontendRequest.SetVringNum, 4, "payload of 4 bytes")]
    [InlineData(FrontendRequest.SetVringAddr, 8, "payload of 8 bytes")]
    [InlineData(FrontendRequest.SetFeatures, 0, "payload of 0 bytes")]
    [InlineData((FrontendRequest)99, 0, "unsupported request 99")]
    [InlineData(FrontendRequest.SetMemTable, 8, "0 regions")]
    public void Malformed_messages_end_the_connection_with_a_clear_reason(FrontendRequest request, int size, string reason)
    {
        SendHeader(request, MessageHeader.Version, size);
        _backend.Join();
        Assert.Contains(reason, _backend.Failure?.Message);
        Assert.True(_frontend.WaitForClose(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Queue_index_out_of_range_is_refused()
    {
        _frontend.SetVringNum(4, 256);
        _backend.Join();
        Assert.Contains("queue index 4 out of range", _backend.Failure?.Message);
    }

    [Fact]
    public void Wrong_version_and_oversized_payloads_are_refused()
    {
        SendHeader(FrontendRequest.GetFeatures, 0x2, 0);
        _backend.Join();
        Assert.Contains("unsupported version", _backend.Failure?.Message);
    }

    [Fact]
    public void Oversized_payload_is_refused_before_reading_it()
    {
        SendHeader(FrontendRequest.SetFeatures, MessageHeader.Version, 1 << 20);
        _backend.Join();
        Assert.Contains("exceeds", _backend.Failure?.Message);
    }

    [Fact]
    public void Unexpected_fds_are_refused_and_closed()
    {
        int efd = Libc.EventFd(0, Libc.EFD_CLOEXEC);
        var bytes = Header(FrontendRequest.SetFeatures, MessageHeader.Version, 8);
        _frontend.SendRaw([.. bytes, .. new byte[8]], [efd]);
        Libc.Close(efd);
        _backend.Join();
        Assert.Contains("1 fds attached, expected 0", _backend.Failure?.Message);
        Assert.Empty(_device.ReceivedFds);
    }

    [Fact]
    public void Truncated_message_is_refused_after_a_timeout()
    {
        var bytes = Header(FrontendRequest.SetFeatures, MessageHeader.Version, 8);
        _frontend.SendRaw(bytes, []); // the payload never comes
        _backend.Join();
        Assert.Contains("truncated message", _backend.Failure?.Message);
    }

    private void SendHeader(FrontendRequest request, uint flags, int size)
    {
        var bytes = Header(request, flags, size);
        _frontend.SendRaw([.. bytes, .. new byte[Math.Min(size, 64)]], []);
    }

    private static byte[] Header(FrontendRequest request, uint flags, int size)
    {
        var header = new MessageHeader { Request = request, Flags = flags, PayloadSize = (uint)size };
        return MemoryMarshal.AsBytes(new ReadOnlySpan<MessageHeader>(in header)).ToArray();
    }
}
