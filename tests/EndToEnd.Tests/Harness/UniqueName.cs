namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// Names for what the harness creates (namespaces, DPDK file prefixes, work folders). The common
/// prefix shows at a glance which leftovers, if any, came from these tests.
/// </summary>
public static class UniqueName
{
    public const string Prefix = "vfwdt-";

    public static string New(string? role = null) =>
        Prefix + (role is null ? "" : role + "-") + Guid.NewGuid().ToString("N")[..8];
}
