namespace VirtioForwarder.Device;

/// <summary>virtio and virtio-net feature bits (virtio 1.2 §5.1.3, §6) plus vhost's own.</summary>
public static class VirtioNetFeatures
{
    public const int Csum = 0, GuestCsum = 1, Mtu = 3, Mac = 5, GuestTso4 = 7, GuestTso6 = 8, GuestEcn = 9, HostTso4 = 11,
        HostTso6 = 12, HostEcn = 13, MrgRxbuf = 15, Status = 16, CtrlVq = 17, CtrlRx = 18, GuestAnnounce = 21, Mq = 22,
        NotifyOnEmpty = 24, AnyLayout = 27, IndirectDesc = 28, EventIdx = 29, VersionOne = 32,
        IommuPlatform = 33, RingPacked = 34, InOrder = 35;

    /// <summary>VHOST_F_LOG_ALL: the frontend asks for dirty-page logging (live migration).</summary>
    public const int LogAll = 26;
    /// <summary>VHOST_USER_F_PROTOCOL_FEATURES: protocol features may be negotiated.</summary>
    public const int ProtocolFeaturesBit = 30;

    /// <summary>
    /// The checksum and TCP segmentation offloads, both ways: the guest may send frames with a
    /// partial checksum or unsegmented (CSUM, HOST_TSO4/6, HOST_ECN) and take them so
    /// (GUEST_CSUM, GUEST_TSO4/6, GUEST_ECN). UFO and USO are left out: no port carries them.
    /// </summary>
    public static readonly ulong Offloads = Bit(Csum) | Bit(HostTso4) | Bit(HostTso6) | Bit(HostEcn)
        | Bit(GuestCsum) | Bit(GuestTso4) | Bit(GuestTso6) | Bit(GuestEcn);

    public static ulong Bit(int feature) => 1UL << feature;

    public static bool Has(ulong features, int feature) => (features & Bit(feature)) != 0;
}
