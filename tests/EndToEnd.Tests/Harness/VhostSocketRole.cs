namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>Which end of a vhost-user socket listens.</summary>
public enum VhostSocketRole
{
    /// <summary>The backend (testpmd iface=, the daemon by default) listens; the frontend connects.</summary>
    BackendListens,

    /// <summary>The frontend listens (QEMU server=on, virtio_user server=1); the backend connects.</summary>
    FrontendListens,
}
