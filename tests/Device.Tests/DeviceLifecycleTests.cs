using VirtioForwarder.Device;
using VirtioForwarder.Platform;
using VirtioForwarder.Protocol;
using static VirtioForwarder.Device.VirtioNetFeatures;

namespace VirtioForwarder.Device.Tests;

public sealed class DeviceLifecycleTests : IDisposable
{
    private const ulong UsedRing = 0x2000;

    private readonly SocketFixture _f = new();
    private readonly GuestRam _ram = new(1 << 20);

    public void Dispose()
    {
        _ram.Dispose();
        _f.Dispose();
    }

    private Frontend Connect(string name = "vu.sock")
    {
        var fe = Frontend.Connect(_f.PathOf(name));
        _f.WaitFor(() => _f.Connected.Count > 0, "the device to connect");
        return fe;
    }

    [Fact]
    public void Offers_what_qemu_and_virtio_user_need_and_mrg_rxbuf_only_on_request()
    {
        _f.Open("vu.sock", SocketMode.Server);
        using var fe = Connect();
        ulong features = fe.GetFeatures();
        foreach (int bit in new[] { VersionOne, AnyLayout, IndirectDesc, EventIdx, Mq, LogAll, ProtocolFeaturesBit, InOrder, RingPacked })
            Assert.True(Has(features, bit), $"feature bit {bit} offered");
        Assert.False(Has(features, MrgRxbuf));
        Assert.Equal(32UL, fe.GetQueueNum());
        var protocol = (ProtocolFeatures)fe.GetProtocolFeatures();
        Assert.True(protocol.HasFlag(ProtocolFeatures.Mq | ProtocolFeatures.ReplyAck | ProtocolFeatures.LogShmfd | ProtocolFeatures.Status));

        _f.Open("mrg.sock", SocketMode.Server, new DeviceOptions { MergeableRxBuffers = true });
        using var fe2 = Frontend.Connect(_f.PathOf("mrg.sock"));
        Assert.True(Has(fe2.GetFeatures(), MrgRxbuf));
    }

    [Fact]
    public void A_ring_goes_live_when_enabled_and_stops_at_get_vring_base()
    {
        _f.Open("vu.sock", SocketMode.Server);
        using var fe = Connect();
        var device = _f.Connected[0];
        fe.SetFeatures(Bit(VersionOne) | Bit(ProtocolFeaturesBit) | Bit(EventIdx));
        fe.SetProtocolFeatures((ulong)ProtocolFeatures.ReplyAck);
        fe.RequestAcks = true;
        _ram.WriteU16(UsedRing + 2, 7); // a ring in progress: 7 chains used so far
        SetUpRing(fe, index: 1, avail: 7);
        Assert.Empty(device.LiveQueues.GuestTx); // PROTOCOL_FEATURES: disabled until enabled

        fe.SetVringEnable(1, true);
        Assert.Single(device.LiveQueues.GuestTx);
        Assert.Empty(device.LiveQueues.GuestRx);

        Assert.Equal(7u, fe.GetVringBase(1));
        Assert.Empty(device.LiveQueues.GuestTx);
    }

    [Fact]
    public void A_packed_ring_keeps_its_position_and_wrap_counter_from_set_to_get_vring_base()
    {
        // vhost-user "Ring states": for packed rings bits 0-14 are the position, bit 15 the wrap counter.
        _f.Open("vu.sock", SocketMode.Server);
        using var fe = Connect();
        var device = _f.Connected[0];
        fe.SetFeatures(Bit(VersionOne) | Bit(ProtocolFeaturesBit) | Bit(RingPacked));
        fe.SetProtocolFeatures((ulong)ProtocolFeatures.ReplyAck);
        fe.RequestAcks = true;
        SetUpRing(fe, index: 1, avail: 0x8000 | 37);
        fe.SetVringEnable(1, true);
        Assert.IsType<Virtqueue.PackedQueue>(Assert.Single(device.LiveQueues.GuestTx));

        Assert.Equal(0x8000u | 37, fe.GetVringBase(1));
        Assert.Empty(device.LiveQueues.GuestTx);
    }

    [Fact]
    public void A_ring_set_up_before_set_features_takes_the_negotiated_format()
    {
        _f.Open("vu.sock", SocketMode.Server);
        using var fe = Connect();
        var device = _f.Connected[0];
        fe.SetFeatures(Bit(ProtocolFeaturesBit));
        fe.SetProtocolFeatures((ulong)ProtocolFeatures.ReplyAck);
        fe.RequestAcks = true;
        SetUpRing(fe, index: 0, avail: 0x8000);
        fe.SetVringEnable(0, true);
        Assert.IsType<Virtqueue.SplitQueue>(Assert.Single(device.LiveQueues.GuestRx));

        fe.SetFeatures(Bit(VersionOne) | Bit(ProtocolFeaturesBit) | Bit(RingPacked));
        Assert.IsType<Virtqueue.PackedQueue>(Assert.Single(device.LiveQueues.GuestRx));
        fe.SetFeatures(Bit(VersionOne) | Bit(ProtocolFeaturesBit));
        Assert.IsType<Virtqueue.SplitQueue>(Assert.Single(device.LiveQueues.GuestRx));
    }

    [Fact]
    public void A_base_that_disagrees_with_the_used_ring_resumes_from_the_used_ring()
    {
        // DPDK virtio_user sends SET_VRING_BASE 0 after a backend reconnects; DPDK's vhost
        // library then resumes from used->idx, and so do we (chains complete in order).
        _f.Open("vu.sock", SocketMode.Server);
        using var fe = Connect();
        fe.SetFeatures(Bit(VersionOne));
        _ram.WriteU16(UsedRing + 2, 4928);
        SetUpRing(fe, index: 0, avail: 0);
        Assert.Equal(4928u, fe.GetVringBase(0));
    }

    [Fact]
    public void Without_protocol_features_the_kick_starts_the_ring()
    {
        _f.Open("vu.sock", SocketMode.Server);
        using var fe = Connect();
        fe.SetFeatures(Bit(VersionOne));
        SetUpRing(fe, index: 0, avail: 0);
        fe.GetQueueNum(); // round trip: the kick has been handled
        Assert.Single(_f.Connected[0].LiveQueues.GuestRx);
    }

    [Theory]
    [InlineData(3u)]
    [InlineData(65536u)]
    public void Ring_sizes_must_be_powers_of_two_up_to_32768(uint size)
    {
        _f.Open("vu.sock", SocketMode.Server);
        using var fe = Connect();
        fe.SetVringNum(0, size);
        Assert.True(fe.WaitForClose(TimeSpan.FromSeconds(2)), "the daemon ends the connection");
        _f.WaitFor(() => _f.Disconnected.Count == 1, "the device reset");
    }

    [Fact]
    public void Ring_outside_guest_memory_resets_the_device_only()
    {
        _f.Open("vu.sock", SocketMode.Server);
        _f.Open("other.sock", SocketMode.Server);
        using var fe = Connect();
        using var other = Frontend.Connect(_f.PathOf("other.sock"));
        fe.SetFeatures(Bit(VersionOne));
        fe.SetMemTable([_ram.Region], [_ram.Fd]);
        fe.SetVringNum(0, 256);
        fe.SetVringAddr(new VringAddress { Index = 0, DescUser = GuestRam.UserBase + _ram.Size - 16, AvailUser = GuestRam.UserBase, UsedUser = GuestRam.UserBase + 0x1000 });
        using var kick = EventFd.Create();
        fe.SetVringKick(0, kick.Fd);
        Assert.True(fe.WaitForClose(TimeSpan.FromSeconds(2)));
        Assert.Equal(32UL, other.GetQueueNum()); // the other device is untouched
    }

    [Fact]
    public void Server_mode_replaces_a_stale_socket_and_refuses_a_regular_file()
    {
        string stale = _f.PathOf("stale.sock");
        int fd = UnixSocket.Listen(stale);
        Libc.Close(fd); // a socket file left behind, as after a crash
        _f.Open("stale.sock", SocketMode.Server);
        using (var fe = Frontend.Connect(stale)) Assert.Equal(32UL, fe.GetQueueNum());

        File.WriteAllText(_f.PathOf("file.sock"), "not a socket");
        var e = Assert.Throws<InvalidOperationException>(() => _f.Open("file.sock", SocketMode.Server));
        Assert.Contains("is not a socket", e.Message);
    }

    [Fact]
    public void A_second_frontend_is_refused_while_one_is_connected()
    {
        _f.Open("vu.sock", SocketMode.Server);
        using var fe = Connect();
        using var second = Frontend.Connect(_f.PathOf("vu.sock"));
        Assert.True(second.WaitForClose(TimeSpan.FromSeconds(2)));
        Assert.Equal(32UL, fe.GetQueueNum());
    }

    [Fact]
    public void Client_mode_connects_when_the_frontend_appears_and_again_after_it_goes()
    {
        string path = _f.PathOf("client.sock");
        _f.Open("client.sock", SocketMode.Client); // nobody listens yet: retries every second
        for (int round = 1; round <= 2; round++)
        {
            int listen = UnixSocket.Listen(path);
            try
            {
                int conn = WaitAccept(listen);
                using var fe = new Frontend(new Connection(conn));
                Assert.Equal(32UL, fe.GetQueueNum());
                _f.WaitFor(() => _f.Connected.Count == round, $"connection {round}");
            }
            finally
            {
                Libc.Close(listen);
                File.Delete(path);
            }
            _f.WaitFor(() => _f.Disconnected.Count == round, $"disconnect {round}");
        }
    }

    private static int WaitAccept(int listenFd)
    {
        var deadline = Environment.TickCount64 + 5000;
        while (Environment.TickCount64 < deadline)
        {
            int fd = UnixSocket.Accept(listenFd);
            if (fd >= 0) return fd;
            Thread.Sleep(50);
        }
        throw new TimeoutException("the daemon did not connect");
    }

    private void SetUpRing(Frontend fe, uint index, uint avail)
    {
        fe.SetMemTable([_ram.Region], [_ram.Fd]);
        fe.SetVringNum(index, 256);
        fe.SetVringBase(index, avail);
        fe.SetVringAddr(new VringAddress
        {
            Index = index, DescUser = GuestRam.UserBase, AvailUser = GuestRam.UserBase + 0x1000, UsedUser = GuestRam.UserBase + UsedRing,
        });
        using var kick = EventFd.Create();
        fe.SetVringKick(index, kick.Fd);
    }
}
