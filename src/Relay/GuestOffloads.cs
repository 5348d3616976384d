using VirtioForwarder.Platform;
using static VirtioForwarder.Device.VirtioNetFeatures;

namespace VirtioForwarder.Relay;

/// <summary>The offloads a guest negotiated (virtio 1.2 §5.1.3), read from its feature bits once per batch.</summary>
internal readonly struct GuestOffloads(ulong features)
{
    /// <summary>The guest may send partial checksums (CSUM) and, with HOST_TSO4/6, unsegmented TCP.</summary>
    public bool Sends => Has(features, Csum);

    /// <summary>The guest may send unsegmented TCP (HOST_TSO4/6).</summary>
    public bool SendsSegmentable => Has(features, HostTso4) || Has(features, HostTso6);

    /// <summary>The guest takes partial checksums and DATA_VALID (GUEST_CSUM).</summary>
    public bool TakesChecksum => Has(features, GuestCsum);

    /// <summary>The guest takes this unsegmented frame as it is (GUEST_TSO4/6, and GUEST_ECN for a frame with CWR).</summary>
    public bool TakesSegmentable(in VirtioNetHeader header) => header.GsoProtocol switch
    {
        VirtioNetHeader.GsoTcpV4 => Has(features, GuestTso4) && EcnTaken(header),
        VirtioNetHeader.GsoTcpV6 => Has(features, GuestTso6) && EcnTaken(header),
        _ => false,
    };

    private bool EcnTaken(in VirtioNetHeader header) => (header.GsoType & VirtioNetHeader.GsoEcn) == 0 || Has(features, GuestEcn);
}
