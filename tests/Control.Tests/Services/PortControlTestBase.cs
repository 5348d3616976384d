using Google.Protobuf;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Control.Services.PortControl;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;
using Pci = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.PciAddress;
using Status = VirtioForwarder.Control.Protobuf.PortControlResponse.Types.Status;

namespace VirtioForwarder.Control.Tests.Services;

/// <summary>Requests built as the upstream client builds them, and checks of the replies' codes.</summary>
public abstract class PortControlTestBase
{
    public const string AddSource = "virtio_forwarder_add_vf2()";
    public const string BondSource = "virtio_forwarder_bond_add()";
    public const string RemoveSource = "virtio_forwarder_remove_vf2()";
    public const string AddSockSource = "virtio_add_sock_dev_pair()";
    public const string RemoveSockSource = "virtio_remove_sock_dev_pair()";
    public const string QuerySource = "virtio_query_pci()";

    internal FakeRelays Relays { get; set; } = new();

    internal byte[] SendBytes(byte[] request) => new PortControlService(Relays).Handle(request, default);

    internal PortControlResponse Send(PortControlRequest request) =>
        PortControlResponse.Parser.ParseFrom(SendBytes(request.ToByteArray()));

    internal static Pci Address(uint bus, uint slot, uint function) =>
        new() { Domain = 0, Bus = bus, Slot = slot, Function = function };

    internal static PortControlRequest Request(Op op, uint? virtioId, bool? conditional, params Pci[] addresses)
    {
        var r = new PortControlRequest { Op = op };
        r.PciAddrs.AddRange(addresses);
        if (virtioId is uint id) r.VirtioId = id;
        if (conditional is bool c) r.Conditional = c;
        return r;
    }

    internal static void AssertOk(PortControlResponse reply)
    {
        Assert.Equal(Status.Ok, reply.Status);
        Assert.False(reply.HasErrorCode);
        Assert.False(reply.HasErrorCodeSource);
    }

    /// <summary>Validation failures, undecodable requests and unknown ops: ERROR and nothing else (§3.1).</summary>
    internal static void AssertErrorWithoutCode(PortControlResponse reply)
    {
        Assert.Equal(Status.Error, reply.Status);
        Assert.False(reply.HasErrorCode);
        Assert.False(reply.HasErrorCodeSource);
    }

    internal static void AssertError(PortControlResponse reply, int code, string source)
    {
        Assert.Equal(Status.Error, reply.Status);
        Assert.Equal(code, reply.ErrorCode);
        Assert.Equal(source, reply.ErrorCodeSource);
        Assert.False(reply.HasQueryString);
    }
}
