using System.Text.Json.Serialization;

namespace VirtioForwarder.Relay;

/// <summary>
/// A relay's VM side, as upstream's stats name it (contract §10.4): ready while a connected
/// frontend has live queues; the two removing steps are the hand-shake with the workers when it goes.
/// </summary>
public enum VmState
{
    [JsonStringEnumMemberName("VIRTIO_UNINIT")] Uninit,
    [JsonStringEnumMemberName("VIRTIO_READY")] Ready,
    [JsonStringEnumMemberName("VIRTIO_REMOVING1")] Removing1,
    [JsonStringEnumMemberName("VIRTIO_REMOVING2")] Removing2,
}

/// <summary>
/// A relay's device (VF) side, as upstream's stats name it (contract §10.4): added while a port is
/// attached and no VM is ready, ready once the VM is too; removing while the workers let go of it.
/// </summary>
public enum PortState
{
    [JsonStringEnumMemberName("DPDK_UNINIT")] Uninit,
    [JsonStringEnumMemberName("DPDK_ADDED")] Added,
    [JsonStringEnumMemberName("DPDK_READY")] Ready,
    [JsonStringEnumMemberName("DPDK_REMOVING1")] Removing1,
    [JsonStringEnumMemberName("DPDK_REMOVING2")] Removing2,
}
