namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// Who should own the vhost-user sockets (<c>-u</c>, <c>-g</c>). Upstream has three cases, and the
/// difference between the first two is a known trap (contract §9.2):
/// option absent → the default name (<c>libvirt-qemu</c> / <c>kvm</c>);
/// option present without a value (or with an empty one) → <see cref="Inherit"/> the process's own;
/// option with a value → that <see cref="Name"/>.
/// </summary>
public sealed record OwnerSpec
{
    private OwnerSpec(string? name) => Name = name;

    /// <summary>Keep the process's effective user or group.</summary>
    public static OwnerSpec Inherit { get; } = new((string?)null);

    /// <summary>A user or group name to look up.</summary>
    public static OwnerSpec Named(string name) =>
        string.IsNullOrEmpty(name) ? throw new ArgumentException("An owner name cannot be empty", nameof(name)) : new(name);

    /// <summary>The name to look up, or null for <see cref="Inherit"/>.</summary>
    public string? Name { get; }

    public bool IsInherit => Name is null;

    public override string ToString() => Name ?? "(inherit)";
}
