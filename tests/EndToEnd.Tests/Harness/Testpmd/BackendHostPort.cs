namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>The second port of a <see cref="VhostBackend"/>.</summary>
public enum BackendHostPort
{
    /// <summary>Only the vhost-user port.</summary>
    None,

    /// <summary>net_null: a bottomless sink and, in io mode, an endless source of 64-byte frames.</summary>
    Null,

    /// <summary>net_tap: a kernel tap, the host side of a guest link.</summary>
    Tap,
}
